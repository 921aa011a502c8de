/*
 * crc32c.c - CRC-32C with the SSE4.2 instruction where the CPU has it, and
 * a bitwise loop elsewhere (correct everywhere, fast only where it counts:
 * every x86-64 CPU since 2008 has SSE4.2).
 */
#include "crc32c.h"

#define CRC32C_POLY_REFLECTED 0x82f63b78u

static uint32_t
crc32c_soft(uint32_t crc, const unsigned char *p, size_t len)
{
	while (len-- > 0) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (CRC32C_POLY_REFLECTED & -(crc & 1));
	}
	return crc;
}

#if defined(__x86_64__)
#include <string.h>

__attribute__((target("sse4.2"))) static uint32_t
crc32c_sse42(uint32_t crc, const unsigned char *p, size_t len)
{
	uint64_t c = crc, w;

	for (; len > 0 && ((uintptr_t)p & 7) != 0; len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, sizeof(w));
		c = __builtin_ia32_crc32di(c, w);
	}
	for (; len > 0; len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return (uint32_t)c;
}

uint32_t
crc32c_update(uint32_t crc, const void *data, size_t len)
{
	/* __builtin_cpu_supports reads data libgcc fills in before main. */
	if (__builtin_cpu_supports("sse4.2"))
		return ~crc32c_sse42(~crc, data, len);
	return ~crc32c_soft(~crc, data, len);
}
#else
uint32_t
crc32c_update(uint32_t crc, const void *data, size_t len)
{
	return ~crc32c_soft(~crc, data, len);
}
#endif

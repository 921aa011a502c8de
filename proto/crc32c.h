/*
 * crc32c.h - CRC-32C (Castagnoli), the checksum that ends a verified
 * transfer.
 *
 * Chosen over zlib's CRC-32 because x86-64 (SSE4.2) and ARMv8 compute it in
 * hardware at several GB/s per core, so checking every byte costs a transfer
 * almost nothing; it detects all burst errors up to 32 bits and is what
 * iSCSI, ext4 and Btrfs use for the same job.
 */
#ifndef PROTO_CRC32C_H
#define PROTO_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * Continues a checksum over len more bytes: start with crc = 0, pass each
 * result back in for the next piece.  crc32c_update(0, "123456789", 9) is
 * 0xe3069283.  Thread-safe; uses the CPU's instruction when it has one.
 */
uint32_t crc32c_update(uint32_t crc, const void *data, size_t len);

#endif

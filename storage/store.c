/*
 * store.c - the public store calls, routed to the backend through the ops
 * pointer that begins every object (see backend.h).
 */
#include "backend.h"

void
stor_free(struct store *st)
{
	if (st != NULL)
		st->ops->free(st);
}

int
stor_open_sub(struct store *st, const char *path, struct store **out)
{
	return st->ops->open_sub(st, path, out);
}

int
stor_recover(struct store *st, unsigned *removed)
{
	return st->ops->recover(st, removed);
}

int
stor_stat(struct store *st, const char *path, struct stor_info *out)
{
	return st->ops->stat(st, path, out);
}

int
stor_open_read(struct store *st, const char *path, struct stor_file **out,
	       struct stor_info *info)
{
	return st->ops->open_read(st, path, out, info);
}

int
stor_file_fd(const struct stor_file *f)
{
	return f->ops->file_fd(f);
}

int
stor_file_pread(struct stor_file *f, void *dst, size_t len, uint64_t off,
		size_t *got)
{
	return f->ops->file_pread(f, dst, len, off, got);
}

int
stor_file_get_sum(struct stor_file *f, uint32_t *sum)
{
	return f->ops->file_get_sum(f, sum);
}

int
stor_file_set_sum(struct stor_file *f, uint32_t sum)
{
	return f->ops->file_set_sum(f, sum);
}

void
stor_file_close(struct stor_file *f)
{
	if (f != NULL)
		f->ops->file_close(f);
}

int
stor_upload_begin(struct store *st, const char *path,
		  struct stor_upload **out)
{
	return st->ops->upload_begin(st, path, out);
}

int
stor_upload_write(struct stor_upload *up, const void *src, size_t len)
{
	return up->ops->upload_write(up, src, len);
}

uint64_t
stor_upload_size(const struct stor_upload *up)
{
	return up->ops->upload_size(up);
}

int
stor_upload_set_sum(struct stor_upload *up, uint32_t sum)
{
	return up->ops->upload_set_sum(up, sum);
}

int
stor_upload_commit(struct stor_upload *up)
{
	return up->ops->upload_commit(up);
}

void
stor_upload_abort(struct stor_upload *up)
{
	if (up != NULL)
		up->ops->upload_abort(up);
}

int
stor_upload_begin_resumable(struct store *st, const char *path, bool fresh,
			    struct stor_upload **out, uint64_t *have)
{
	return st->ops->upload_begin_resumable(st, path, fresh, out, have);
}

int
stor_upload_pread(struct stor_upload *up, void *dst, size_t len,
		  uint64_t off, size_t *got)
{
	return up->ops->upload_pread(up, dst, len, off, got);
}

int
stor_upload_truncate(struct stor_upload *up)
{
	return up->ops->upload_truncate(up);
}

void
stor_upload_keep(struct stor_upload *up)
{
	if (up != NULL)
		up->ops->upload_keep(up);
}

int
stor_sweep_partials(struct store *st, int64_t max_age, unsigned *removed)
{
	return st->ops->sweep_partials(st, max_age, removed);
}

int
stor_mkdir(struct store *st, const char *path)
{
	return st->ops->mkdir(st, path);
}

int
stor_rmdir(struct store *st, const char *path)
{
	return st->ops->rmdir(st, path);
}

int
stor_unlink(struct store *st, const char *path)
{
	return st->ops->unlink(st, path);
}

int
stor_rename(struct store *st, const char *from, const char *to)
{
	return st->ops->rename(st, from, to);
}

int
stor_list_open(struct store *st, const char *path, struct stor_dir **out)
{
	return st->ops->list_open(st, path, out);
}

int
stor_list_next(struct stor_dir *d, struct stor_entry *e, bool *end)
{
	return d->ops->list_next(d, e, end);
}

void
stor_list_close(struct stor_dir *d)
{
	if (d != NULL)
		d->ops->list_close(d);
}

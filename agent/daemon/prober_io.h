/* prober_io.h — blocking reads and writes on the prober's sockets, each
 * bounded by a deadline, and the reply header that carries a descriptor. */
#ifndef KAGENT_PROBER_IO_H
#define KAGENT_PROBER_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon.h"

int64_t prober_mono_ms(void);
/* All of n bytes, or -ETIMEDOUT at deadline (monotonic ms; -1: none),
 * -EPIPE when the peer closes. */
int prober_io_full(int fd, void *buf, size_t n, bool wr, int64_t deadline);
/* A reply header, and the descriptor that came with it in *pass (-1 when
 * none; only the first is kept). */
int prober_recv_hdr(int fd, struct prober_reply_hdr *h, int64_t deadline,
		    int *pass);
/* A reply header with pass (>= 0) as SCM_RIGHTS. */
int prober_send_hdr(int fd, const struct prober_reply_hdr *h, int pass);

#endif

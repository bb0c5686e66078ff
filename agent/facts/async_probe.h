/*
 * async_probe.h — the last result of a probe that kagentd runs on its own
 * loop beside the reports: ZooKeeper's four-letter words now, and every
 * later probe that talks to a server (Kafka metadata, LLDP, flush
 * latency).
 *
 * Such a probe ends when the server answers, not when the report is due,
 * so the loop keeps its last result with the time it was taken and passes
 * both with every full report request.  The check that depends on it is
 * then in every report: with the last known result and its age, or
 * unknown with the reason ("not probed yet") before the first probe ends.
 * A check never disappears because a probe is still running.
 *
 * The loop side owns a struct async_probe per probe; the request carries
 * its struct async_meta beside the probe's own result struct, and the
 * report's job turns that into the struct async_seen the checks read.
 */
#ifndef KAGENT_ASYNC_PROBE_H
#define KAGENT_ASYNC_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#define ASYNC_WHY_MAX 96

/* Copied into each full report's job (same process, another thread). */
struct async_meta {
	uint32_t have;	    /* 1: a probe ended; its result is kept */
	uint32_t in_flight; /* 1: a newer probe was running at the request */
	int64_t at_ms;	    /* wall clock when the kept result was taken */
	char why[ASYNC_WHY_MAX]; /* have == 0: why there is none yet */
};

/* What the checks see of it. */
struct async_seen {
	bool have;
	bool in_flight;
	bool age_known; /* false for a result taken just now (kagent check) */
	int64_t age_ms;
	char why[ASYNC_WHY_MAX];
};

/* The loop's side: meta as it goes into each request, plus whether the
 * running probe was started for the report now waiting. */
struct async_probe {
	struct async_meta meta;
	bool running;
	bool for_report; /* the pending full report waits for this probe */
};

/* Before any probe: unknown "not probed yet". */
void async_probe_init(struct async_probe *p);
/* A probe ended at now_ms: its result becomes the kept one. */
void async_probe_done(struct async_probe *p, int64_t now_ms);
/* A probe could not start: the kept result, if any, stays; without one
 * the reason says why. */
void async_probe_start_failed(struct async_probe *p, const char *why);

/* The request's meta as of the request's timestamp; an age below zero (the
 * wall clock stepped back) is taken as zero. */
void async_seen_from_meta(const struct async_meta *m, int64_t request_ms,
			  struct async_seen *out);

#endif

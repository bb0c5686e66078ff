/*
 * seed_frame.c — writes the seeds of fuzz_frame: one Hello, Ack, Error and
 * Report frame each, and one stream of Hello, Report, Ack as an agent
 * sends them, into the directory given.  The Report carries what the
 * probes read from fixture trees and captured disks (host-2s48t CPU and
 * memory, host-bond10g NICs, host-storage disks, dmi-skybay board, the
 * ST9160821AS SMART blob), so the seeds hold real field shapes.
 *
 * Each seed starts with fuzz_frame's chunking byte: 0, the whole stream in
 * one read.  Run by hand when the wire changes:
 *   build/tests/fuzz_seed_frame tests/fuzz/seeds/frame
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "proto_fill.h"

#define BUF_MAX (1u << 20)

static int put(FILE *f, const kagent_v1_Envelope *e, uint8_t *buf)
{
	struct hw_err err = {{0}};
	size_t len = 0;

	if (proto_envelope_encode(e, buf, BUF_MAX, &len, &err) < 0) {
		fprintf(stderr, "encode: %s\n", err.msg);
		return -1;
	}
	return fwrite(buf, 1, len, f) == len ? 0 : -1;
}

/* Writes the chunking byte and then each envelope of es. */
static int write_seed(const char *dir, const char *name,
		      const kagent_v1_Envelope *const *es, size_t n,
		      uint8_t *buf)
{
	char path[4096];
	FILE *f;
	size_t i;
	int r = 0;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return -1;
	}
	if (fputc(0, f) == EOF)
		r = -1;
	for (i = 0; i < n && r == 0; i++)
		r = put(f, es[i], buf);
	if (fclose(f) != 0)
		r = -1;
	printf("%s\n", path);
	return r;
}

static int fill_report(kagent_v1_Report *r, struct proto_lists *l,
		       struct hw_nics *nics, struct hw_disks *disks)
{
	struct hw_cpu cpu;
	struct hw_memory mem;
	struct board_dmi dmi;
	struct hw_ata_smart smart;
	struct hw_err err = {{0}};
	kagent_v1_CheckResult *c;
	kagent_v1_Disk *d;
	unsigned clipped = 0;

	if (hw_cpu_probe(FIXTURES "/host-2s48t", &cpu, &err) < 0 ||
	    hw_memory_probe(FIXTURES "/host-2s48t", &mem, &err) < 0 ||
	    hw_nics_probe(FIXTURES "/host-bond10g", nics, &err) < 0 ||
	    hw_disks_probe(FIXTURES "/host-storage", disks, &err) < 0 ||
	    board_dmi_read(FIXTURES "/dmi-skybay", &dmi, &err) < 0 ||
	    hw_ata_smart_load(CORPUS "/libatasmart/ST9160821AS--3.CLH", &smart,
			      &err) < 0) {
		fprintf(stderr, "probe: %s\n", err.msg);
		return -1;
	}
	memset(r, 0, sizeof *r);
	strcpy(r->host_id, "4c4c4544-0051-3510-8052-b4c04f564433");
	strcpy(r->hostname, "kafka-03");
	strcpy(r->cluster, "payments");
	r->roles_count = 1;
	r->roles[0] = kagent_v1_Role_ROLE_KAFKA;
	strcpy(r->agent_version, KAGENT_VERSION);
	r->seq = 7;
	r->timestamp_ms = 1717171717000LL;
	r->report_interval_s = 60;
	proto_report_bind(r, l);
	if (proto_fill_inventory(&cpu, &mem, nics, disks, &r->inventory, l,
				 &clipped) < 0)
		return -1;
	if (l->disks.n > 0) {
		d = l->disks.v;
		d->has_health = true;
		clipped += proto_fill_ata_health(&smart, &d->health);
	}
	r->has_board = true;
	clipped += proto_fill_board(&dmi, &r->board);
	if (proto_list_add(&l->checks, (void **)&c) < 0)
		return -1;
	strcpy(c->id, "kafka.memory");
	c->severity = kagent_v1_Severity_SEVERITY_PASS;
	r->clipped = clipped;
	return 0;
}

int main(int argc, char **argv)
{
	kagent_v1_Envelope *hello = calloc(1, sizeof *hello);
	kagent_v1_Envelope *report = calloc(1, sizeof *report);
	kagent_v1_Envelope *ack = calloc(1, sizeof *ack);
	kagent_v1_Envelope *error = calloc(1, sizeof *error);
	uint8_t *buf = malloc(BUF_MAX);
	struct hw_nics nics = {0};
	struct hw_disks disks = {0};
	struct proto_lists l;
	int r = 1;

	if (argc != 2 || !hello || !report || !ack || !error || !buf) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	proto_lists_init(&l);
	hello->which_msg = kagent_v1_Envelope_hello_tag;
	hello->msg.hello.protocol_version = PROTO_VERSION;
	strcpy(hello->msg.hello.host_id,
	       "4c4c4544-0051-3510-8052-b4c04f564433");
	strcpy(hello->msg.hello.agent_version, KAGENT_VERSION);
	hello->msg.hello.last_acked_seq = 6;
	ack->which_msg = kagent_v1_Envelope_ack_tag;
	ack->msg.ack.seq = 7;
	error->which_msg = kagent_v1_Envelope_error_tag;
	error->msg.error.code = kagent_v1_ErrorCode_ERROR_CODE_HOST_ID;
	strcpy(error->msg.error.message, "host id missing");
	report->which_msg = kagent_v1_Envelope_report_tag;
	if (fill_report(&report->msg.report, &l, &nics, &disks) < 0)
		goto out_free;
	{
		const kagent_v1_Envelope *one[1],
		    *stream[3] = {hello, report, ack};

		one[0] = hello;
		if (write_seed(argv[1], "hello", one, 1, buf) < 0)
			goto out_free;
		one[0] = ack;
		if (write_seed(argv[1], "ack", one, 1, buf) < 0)
			goto out_free;
		one[0] = error;
		if (write_seed(argv[1], "error", one, 1, buf) < 0)
			goto out_free;
		one[0] = report;
		if (write_seed(argv[1], "report", one, 1, buf) < 0)
			goto out_free;
		if (write_seed(argv[1], "hello-report-ack", stream, 3, buf) < 0)
			goto out_free;
	}
	r = 0;
out_free:
	proto_lists_free(&l);
	hw_nics_free(&nics);
	hw_disks_free(&disks);
	free(buf);
	free(error);
	free(ack);
	free(report);
	free(hello);
	return r;
}

/* kagent smart (--load FILE | --smartctl-json FILE | --device DEV) [--json]
 *
 * SMART facts of one disk and its disk.health verdict.  --load reads a blob
 * saved by `skdump --save` and --smartctl-json the output of
 * `smartctl --json`, so a disk's data can be judged on any machine;
 * --device reads a live disk the way the inventory does (libatasmart for
 * ATA with smartctl as the fallback, the NVMe health log, smartctl for
 * SAS/SCSI) and needs CAP_SYS_RAWIO or CAP_SYS_ADMIN. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "core_opt.h"
#include "conf.h"
#include "disk_health.h"
#include "health_raid.h"
#include "text_esc.h"

static const char usage_text[] =
    "usage: kagent smart --load FILE [--json]\n"
    "       kagent smart --smartctl-json FILE [--json]\n"
    "       kagent smart --device DEV [--type TYPE] [--json]\n";

enum smart_input {
	SMART_NONE = 0,
	SMART_ATA_BLOB,
	SMART_SMARTCTL_FILE,
	SMART_DEVICE,
};

static void print_num(FILE *out, const char *label, struct hw_num n,
		      const char *unit)
{
	if (n.known)
		fprintf(out, "%-15s %lld%s\n", label, (long long)n.v, unit);
	else
		fprintf(out, "%-15s unknown\n", label);
}

static void print_cell(FILE *out, struct hw_num n)
{
	if (n.known)
		fprintf(out, " %5lld", (long long)n.v);
	else
		fprintf(out, " %5s", "n/a");
}

/* Model, serial, firmware and smartctl's messages come from the disk or
 * a file: escaped for the terminal. */
static void print_str(FILE *out, const char *label, const char *s)
{
	char safe[TEXT_ESC_LEN];

	fprintf(out, "%-15s %s\n", label,
		s[0] ? text_escape(safe, sizeof safe, s) : "unknown");
}

static void print_attr_name(FILE *out, int id, const char *name)
{
	char safe[TEXT_ESC_LEN];

	fprintf(out, "%3d %-27s", id, text_escape(safe, sizeof safe, name));
}

static void ata_print_text(const struct hw_ata_smart *s, FILE *out)
{
	size_t i;

	print_str(out, "model:", s->model);
	print_str(out, "serial:", s->serial);
	print_str(out, "firmware:", s->firmware);
	if (s->asleep)
		fprintf(out, "%-15s %s\n", "power mode:", "asleep (not woken)");
	fprintf(out, "%-15s %s\n", "overall:", hw_ata_overall_name(s->overall));
	print_num(out, "bad sectors:", s->bad_sectors, "");
	print_num(out, "temperature:", s->temperature_c, " C");
	print_num(out, "powered on:", s->power_on_hours, " h");
	print_num(out, "power cycles:", s->power_cycles, "");
	if (s->n_attrs == 0)
		return;
	fprintf(out, "\n%3s %-27s %5s %5s %5s %15s %s\n", "ID#", "name",
		"value", "worst", "thres", "raw", "type");
	for (i = 0; i < s->n_attrs; i++) {
		const struct hw_ata_attr *a = &s->attrs[i];

		print_attr_name(out, (int)a->id, a->name);
		print_cell(out, a->current);
		print_cell(out, a->worst);
		print_cell(out, a->threshold);
		fprintf(out, " %15llu %s\n", (unsigned long long)a->raw,
			a->prefail ? "prefail" : "old-age");
	}
}

static void nvme_print_text(const struct hw_nvme_health *h, FILE *out)
{
	fprintf(out, "%-15s 0x%02x\n", "crit. warning:", h->critical_warning);
	print_num(out, "temperature:", h->temperature_c, " C");
	print_num(out, "spare:", h->available_spare, " %");
	print_num(out, "spare thresh.:", h->spare_threshold, " %");
	print_num(out, "used:", h->percentage_used, " %");
	print_num(out, "media errors:", h->media_errors, "");
	print_num(out, "error log:", h->error_log_entries, " entries");
	print_num(out, "unsafe shutd.:", h->unsafe_shutdowns, "");
	print_num(out, "powered on:", h->power_on_hours, " h");
	print_num(out, "power cycles:", h->power_cycles, "");
}

static void smartctl_print_text(const struct hw_smartctl *s, FILE *out)
{
	size_t i;

	print_str(out, "protocol:", s->protocol);
	print_str(out, "model:", s->model);
	print_str(out, "serial:", s->serial);
	fprintf(out, "%-15s %s\n", "SMART status:",
		!s->smart_status.known ? "unknown"
		: s->smart_status.v    ? "PASSED"
				       : "FAILED");
	print_num(out, "temperature:", s->temperature_c, " C");
	print_num(out, "powered on:", s->power_on_hours, " h");
	print_num(out, "power cycles:", s->power_cycles, "");
	if (s->scsi_grown_defects.known)
		print_num(out, "grown defects:", s->scsi_grown_defects, "");
	for (i = 0; i < s->n_messages; i++)
		print_str(out, "smartctl says:", s->messages[i]);
	if (s->has_nvme) {
		fputc('\n', out);
		nvme_print_text(&s->nvme, out);
	}
	if (s->n_attrs == 0)
		return;
	fprintf(out, "\n%3s %-27s %5s %5s %5s %15s %s\n", "ID#", "name",
		"value", "worst", "thres", "raw", "type");
	for (i = 0; i < s->n_attrs; i++) {
		const struct hw_smartctl_attr *a = &s->attrs[i];

		print_attr_name(out, a->id, a->name);
		print_cell(out, a->value);
		print_cell(out, a->worst);
		print_cell(out, a->thresh);
		if (a->raw.known)
			fprintf(out, " %15lld", (long long)a->raw.v);
		else
			fprintf(out, " %15s", "n/a");
		fprintf(out, " %s\n", a->prefail ? "prefail" : "old-age");
	}
}

static void print_text(const struct disk_smart *s, FILE *out)
{
	char safe[TEXT_ESC_LEN];

	switch (s->source) {
	case DISK_SRC_ATASMART:
		ata_print_text(&s->facts.ata, out);
		break;
	case DISK_SRC_NVME:
		nvme_print_text(&s->facts.nvme, out);
		break;
	case DISK_SRC_SMARTCTL:
		smartctl_print_text(&s->facts.smartctl, out);
		break;
	case DISK_SRC_NONE:
		break;
	}
	fprintf(out, "%-15s %s: %s (%s)\n",
		"health:", check_severity_name(s->health.verdict),
		text_escape(safe, sizeof safe, s->health.reason),
		s->health.source[0] ? s->health.source : "no source");
}

/* The facts of the source that answered, with the verdict beside them as
 * "health" (and "source" naming which facts these are). */
static int print_json(const struct disk_smart *s, FILE *out)
{
	json_t *doc = disk_smart_to_json(s);
	int r = -1;

	if (doc != NULL && json_is_null(doc)) {
		json_decref(doc);
		doc = json_object();
	}
	if (doc == NULL ||
	    json_object_set_new(doc, "health",
				disk_health_to_json(&s->health)) < 0)
		goto out_free;
	r = core_json_print(doc, out);
out_free:
	json_decref(doc);
	return r;
}

/* Reads the input into out; -errno with err set when it cannot be read at
 * all (a missing file, not a blob, not JSON).  A live device that cannot
 * be read is not an error: its verdict is unknown with the reason. */
static int load(enum smart_input in, const char *arg, const char *type,
		struct disk_smart *out, struct hw_err *err)
{
	char *text = NULL;
	ssize_t n;
	int r;

	memset(out, 0, sizeof *out);
	switch (in) {
	case SMART_ATA_BLOB:
		r = hw_ata_smart_load(arg, &out->facts.ata, err);
		if (r < 0)
			return r;
		out->source = DISK_SRC_ATASMART;
		out->asleep = out->facts.ata.asleep;
		health_from_ata(&out->facts.ata, &out->health);
		return 0;
	case SMART_SMARTCTL_FILE:
		text = malloc(HW_SMARTCTL_OUT_MAX + 1);
		if (text == NULL)
			return -ENOMEM;
		n = core_read_file(arg, text, HW_SMARTCTL_OUT_MAX + 1);
		if (n < 0) {
			core_err_file(err, arg, (int)n);
			r = (int)n;
		} else if (n >= HW_SMARTCTL_OUT_MAX) {
			core_err_set(err, "%s: larger than %d bytes", arg,
				   HW_SMARTCTL_OUT_MAX - 1);
			r = -EFBIG;
		} else {
			r = hw_smartctl_parse(text, (size_t)n,
					      &out->facts.smartctl, err);
		}
		free(text);
		if (r == 0)
			disk_health_from_smartctl(&out->facts.smartctl, NULL,
						  out);
		return r;
	case SMART_DEVICE:
		if (type != NULL) {
			disk_raid_read(arg, type,
				       CONF_SMART_TIMEOUT_DEFAULT * 1000, out);
			return 0;
		}
		r = disk_health_probe_node(arg, out);
		if (r < 0)
			core_err_set(err, "%s", out->health.reason);
		return r;
	case SMART_NONE:
		break;
	}
	return -EINVAL;
}

enum { OPT_LOAD = 1, OPT_SMARTCTL_JSON, OPT_DEVICE, OPT_TYPE, OPT_JSON };

static const struct core_opt smart_opts[] = {
    {"load", 0, OPT_LOAD, "FILE", "a blob saved by `skdump --save`"},
    {"smartctl-json", 0, OPT_SMARTCTL_JSON, "FILE",
     "the output of `smartctl --json`"},
    {"device", 0, OPT_DEVICE, "DEV",
     "a live disk (needs CAP_SYS_RAWIO or CAP_SYS_ADMIN)"},
    {"type", 0, OPT_TYPE, "TYPE",
     "with --device: smartctl's type of a disk behind a RAID controller "
     "(megaraid,N, cciss,N, aacraid,H,L,ID, sat+megaraid,N)"},
    {"json", 0, OPT_JSON, NULL, "the facts and the verdict as JSON"},
    {NULL, 0, 0, NULL, NULL},
};

int cmd_smart(int argc, char **argv)
{
	struct core_opt_parser p = {
	    .program = "kagent",
	    .name = "kagent smart",
	    .synopsis = usage_text,
	    .about = "SMART facts of one disk and its disk.health verdict.\n",
	    .opts = smart_opts,
	    .usage_exit = AGENT_EXIT_USAGE,
	};
	enum smart_input in = SMART_NONE;
	struct hw_err err = {{0}};
	struct disk_smart *s;
	const char *arg = NULL, *type = NULL;
	int json = 0, c, rc;

	core_opt_init(&p, argc, argv);
	while ((c = core_opt_next(&p)) > 0) {
		switch (c) {
		case OPT_LOAD:
		case OPT_SMARTCTL_JSON:
		case OPT_DEVICE:
			if (in != SMART_NONE) {
				fprintf(stderr,
					"kagent smart: give one of --load, "
					"--smartctl-json and --device\n%s",
					usage_text);
				return AGENT_EXIT_USAGE;
			}
			in = c == OPT_LOAD	      ? SMART_ATA_BLOB
			     : c == OPT_SMARTCTL_JSON ? SMART_SMARTCTL_FILE
						      : SMART_DEVICE;
			arg = p.arg;
			break;
		case OPT_TYPE:
			type = p.arg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		}
	}
	if (c == CORE_OPT_EXIT)
		return p.exit;
	if (in == SMART_NONE) {
		fprintf(stderr,
			"kagent smart: --load FILE, --smartctl-json FILE or "
			"--device DEV is needed\n%s",
			usage_text);
		return AGENT_EXIT_USAGE;
	}
	if (type != NULL &&
	    (in != SMART_DEVICE || !hw_smartctl_type_valid(type))) {
		fprintf(stderr,
			"kagent smart: --type goes with --device and is one of "
			"megaraid,N, sat+megaraid,N (N 0..255), cciss,N "
			"(0..127), aacraid,H,L,ID, sat, scsi, nvme, not '%s'\n",
			type);
		return AGENT_EXIT_USAGE;
	}
	/* About 5 KiB: too much to keep on the stack of a command. */
	s = malloc(sizeof *s);
	if (s == NULL) {
		fprintf(stderr, "kagent smart: %s\n", strerror(ENOMEM));
		return AGENT_EXIT_USAGE;
	}
	rc = AGENT_EXIT_OK;
	if (load(in, arg, type, s, &err) < 0) {
		fprintf(stderr, "kagent smart: %s\n",
			err.msg[0] ? err.msg : strerror(ENOMEM));
		rc = AGENT_EXIT_USAGE;
	} else if (json) {
		if (print_json(s, stdout) < 0) {
			fprintf(stderr, "kagent smart: cannot build JSON\n");
			rc = AGENT_EXIT_USAGE;
		}
	} else {
		print_text(s, stdout);
	}
	free(s);
	return rc;
}

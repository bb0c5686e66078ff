/* kagent smart (--load FILE | --device DEV) [--json]
 *
 * SMART facts of one disk and its disk.health verdict.  --load reads a blob
 * saved by `skdump --save`, so a disk's data can be judged on any machine;
 * --device reads a live ATA disk and needs CAP_SYS_RAWIO. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "agent.h"
#include "health.h"
#include "smart_ata.h"

static const char usage_text[] =
	"usage: kagent smart --load FILE [--json]\n"
	"       kagent smart --device /dev/sdX [--json]\n";

/* Where the facts come from.  smartctl's JSON (--smartctl-json FILE, and
 * the fallback for a device that answers -EOPNOTSUPP) is served by its own
 * parser and joins here as another source with its own printer. */
enum smart_source {
	SMART_NONE = 0,
	SMART_ATA_BLOB,
	SMART_ATA_DEVICE,
};

static json_t *attr_json(const struct hw_ata_attr *a)
{
	return json_pack("{s:i s:s s:o s:o s:o s:I s:b}",
			 "id", a->id,
			 "name", a->name,
			 "current", agent_json_num(a->current),
			 "worst", agent_json_num(a->worst),
			 "threshold", agent_json_num(a->threshold),
			 "raw", (json_int_t)a->raw,
			 "prefail", a->prefail);
}

static json_t *ata_json(const struct hw_ata_smart *s,
			const struct disk_health *h)
{
	json_t *attrs = json_array();
	size_t i;

	for (i = 0; attrs && i < s->n_attrs; i++)
		json_array_append_new(attrs, attr_json(&s->attrs[i]));
	return json_pack("{s:o s:o s:o s:b s:o s:o s:o s:o s:o s:o "
			 "s:{s:s s:s s:s}}",
			 "model", agent_json_str(s->model),
			 "serial", agent_json_str(s->serial),
			 "firmware", agent_json_str(s->firmware),
			 "asleep", s->asleep,
			 "overall", s->overall == HW_ATA_OVERALL_UNKNOWN
				 ? json_null()
				 : json_string(hw_ata_overall_name(s->overall)),
			 "bad_sectors", agent_json_num(s->bad_sectors),
			 "temperature_c", agent_json_num(s->temperature_c),
			 "power_on_hours", agent_json_num(s->power_on_hours),
			 "power_cycles", agent_json_num(s->power_cycles),
			 "attributes", attrs,
			 "health",
			 "verdict", health_verdict_name(h->verdict),
			 "reason", h->reason,
			 "source", h->source);
}

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

static void ata_print_text(const struct hw_ata_smart *s,
			   const struct disk_health *h, FILE *out)
{
	size_t i;

	fprintf(out, "%-15s %s\n", "model:", s->model[0] ? s->model : "unknown");
	fprintf(out, "%-15s %s\n", "serial:", s->serial[0] ? s->serial : "unknown");
	fprintf(out, "%-15s %s\n", "firmware:",
		s->firmware[0] ? s->firmware : "unknown");
	if (s->asleep)
		fprintf(out, "%-15s %s\n", "power mode:", "asleep (not woken)");
	fprintf(out, "%-15s %s\n", "overall:", hw_ata_overall_name(s->overall));
	print_num(out, "bad sectors:", s->bad_sectors, "");
	print_num(out, "temperature:", s->temperature_c, " C");
	print_num(out, "powered on:", s->power_on_hours, " h");
	print_num(out, "power cycles:", s->power_cycles, "");
	fprintf(out, "%-15s %s: %s (%s)\n", "health:",
		health_verdict_name(h->verdict), h->reason, h->source);
	if (s->n_attrs == 0)
		return;
	fprintf(out, "\n%3s %-27s %5s %5s %5s %15s %s\n", "ID#", "name",
		"value", "worst", "thres", "raw", "type");
	for (i = 0; i < s->n_attrs; i++) {
		const struct hw_ata_attr *a = &s->attrs[i];

		fprintf(out, "%3u %-27s", a->id, a->name);
		print_cell(out, a->current);
		print_cell(out, a->worst);
		print_cell(out, a->threshold);
		fprintf(out, " %15llu %s\n", (unsigned long long)a->raw,
			a->prefail ? "prefail" : "old-age");
	}
}

static int ata_report(enum smart_source src, const char *arg, int json)
{
	struct hw_ata_smart s;
	struct hw_err err = { { 0 } };
	struct disk_health h;
	int r;

	if (src == SMART_ATA_BLOB)
		r = hw_ata_smart_load(arg, &s, &err);
	else
		r = hw_ata_smart_read(arg, &s, &err);
	if (r < 0) {
		fprintf(stderr, "kagent smart: %s\n", err.msg);
		return AGENT_EXIT_USAGE;
	}
	health_from_ata(&s, &h);
	if (json) {
		json_t *doc = ata_json(&s, &h);

		r = doc == NULL || json_dumpf(doc, stdout, JSON_INDENT(2)) < 0;
		json_decref(doc);
		if (r) {
			fprintf(stderr, "kagent smart: cannot build JSON\n");
			return AGENT_EXIT_USAGE;
		}
		fputc('\n', stdout);
	} else {
		ata_print_text(&s, &h, stdout);
	}
	return AGENT_EXIT_OK;
}

int cmd_smart(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "load", required_argument, NULL, 'l' },
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum smart_source src = SMART_NONE;
	const char *arg = NULL;
	int json = 0, c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
		case 'd':
			if (src != SMART_NONE) {
				fprintf(stderr, "kagent smart: give one of --load and --device\n%s",
					usage_text);
				return AGENT_EXIT_USAGE;
			}
			src = c == 'l' ? SMART_ATA_BLOB : SMART_ATA_DEVICE;
			arg = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return AGENT_EXIT_OK;
		default:
			fprintf(stderr, "kagent smart: unknown or incomplete option '%s'\n%s",
				argv[optind - 1], usage_text);
			return AGENT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kagent smart: unexpected argument '%s'\n%s",
			argv[optind], usage_text);
		return AGENT_EXIT_USAGE;
	}
	switch (src) {
	case SMART_ATA_BLOB:
	case SMART_ATA_DEVICE:
		return ata_report(src, arg, json);
	case SMART_NONE:
		break;
	}
	fprintf(stderr, "kagent smart: --load FILE or --device DEV is needed\n%s",
		usage_text);
	return AGENT_EXIT_USAGE;
}

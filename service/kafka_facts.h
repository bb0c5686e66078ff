/*
 * kafka_facts.h — what a Kafka broker's configuration and installation say,
 * as facts for the checks of ROLES.md (security audit, log dirs, upgrade).
 *
 * kafka_config.c reads server.properties and resolves what the broker
 * itself resolves: defaults of unset keys, listener names to security
 * protocols, per-listener overrides (listener.name.<name>.<key>).  A value
 * the broker would refuse to start with is kept as written and counted in
 * n_invalid (the first one described in `invalid`), so an audit can report
 * it next to every other fact; only unreadable files, bad .properties
 * syntax and values over the bounds below are errors.
 *
 * kafka_install.c finds the installed version from the jar names under
 * <install>/libs and counts partition directories and bytes per log dir.
 */
#ifndef KAGENT_KAFKA_FACTS_H
#define KAGENT_KAFKA_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "hw.h"
#include "props.h"

#define KAFKA_LOG_DIRS_MAX 128
#define KAFKA_LISTENERS_MAX 16
#define KAFKA_MECHS_MAX 8
#define KAFKA_SECRET_FILES_MAX 32
#define KAFKA_PATH_MAX 256
#define KAFKA_NAME_MAX 64               /* listener names, mechanisms */
#define KAFKA_HOST_MAX 256
#define KAFKA_TEXT_MAX 320              /* one listener as written */
#define KAFKA_CLASS_MAX 256             /* Java class names, URLs */
#define KAFKA_VALUE_MAX 512             /* zookeeper.connect, other values */
#define KAFKA_VERSION_MAX 32

/* Security protocols of org.apache.kafka.common.security.auth. */
enum kafka_protocol {
	KAFKA_PROTO_UNKNOWN = 0,        /* unmapped or misspelt: broker fails */
	KAFKA_PROTO_PLAINTEXT,
	KAFKA_PROTO_SSL,
	KAFKA_PROTO_SASL_PLAINTEXT,
	KAFKA_PROTO_SASL_SSL,
};

enum kafka_authorizer {
	KAFKA_AUTHZ_NONE = 0,           /* no authorizer.class.name: no ACLs */
	KAFKA_AUTHZ_SIMPLE_ACL,         /* kafka.security.auth.SimpleAclAuthorizer
					   (before 2.4) */
	KAFKA_AUTHZ_ACL,                /* kafka.security.authorizer.AclAuthorizer
					   (2.4 to 3.x, ZooKeeper mode) */
	KAFKA_AUTHZ_STANDARD,           /* org.apache.kafka.metadata.authorizer.
					   StandardAuthorizer (KRaft) */
	KAFKA_AUTHZ_OTHER,              /* a custom class */
};

/* One entry of listeners= or advertised.listeners=: name://host:port. */
struct kafka_endpoint {
	char text[KAFKA_TEXT_MAX];      /* as written, blanks trimmed */
	bool valid;                     /* the broker's name://[host]:port form */
	char name[KAFKA_NAME_MAX];      /* upper case, as the broker normalises */
	char host[KAFKA_HOST_MAX];      /* "" binds every interface; IPv6 without [] */
	struct hw_num port;
};

struct kafka_listener {
	struct kafka_endpoint ep;
	enum kafka_protocol protocol;   /* listener.security.protocol.map */
	/* SASL_PLAINTEXT and SASL_SSL listeners; empty otherwise. */
	size_t n_mechanisms;
	char mechanisms[KAFKA_MECHS_MAX][KAFKA_NAME_MAX];
	bool mechanisms_per_listener;   /* listener.name.<l>.sasl.enabled.mechanisms */
	bool inline_jaas;               /* a sasl.jaas.config applies (no file) */
	/* OAUTHBEARER: "" means the built-in unsecured handler. Looked up as
	 * listener.name.<l>.oauthbearer.<key>, listener.name.<l>.<key>, <key>. */
	char oauth_server_handler[KAFKA_CLASS_MAX];
	char oauth_login_handler[KAFKA_CLASS_MAX];
	char oauth_jwks_url[KAFKA_CLASS_MAX];
	/* SSL and SASL_SSL listeners: listener.name.<l>.ssl.* else ssl.*. */
	char keystore[KAFKA_PATH_MAX];
	char truststore[KAFKA_PATH_MAX];
};

struct kafka_protocol_map_entry {
	char name[KAFKA_NAME_MAX];
	enum kafka_protocol protocol;
};

/* A file holding keys or passwords, for kafka.security.secret_files. */
struct kafka_secret_file {
	char key[128];                  /* the config key, or the caller's label */
	char path[KAFKA_PATH_MAX];
	unsigned line;                  /* 0 when not from the file */
};

struct kafka_config {
	size_t n_log_dirs;
	char log_dirs[KAFKA_LOG_DIRS_MAX][KAFKA_PATH_MAX];
	bool log_dirs_default;          /* no log.dirs nor log.dir: /tmp/kafka-logs */

	size_t n_listeners;
	struct kafka_listener listeners[KAFKA_LISTENERS_MAX];
	bool listeners_default;         /* no listeners=: from port/host.name */
	size_t n_advertised;            /* 0: the broker advertises its listeners */
	struct kafka_endpoint advertised[KAFKA_LISTENERS_MAX];
	size_t n_protocol_map;
	struct kafka_protocol_map_entry protocol_map[KAFKA_LISTENERS_MAX];
	bool protocol_map_default;      /* the four protocols map to themselves */
	size_t n_controller_listeners;  /* controller.listener.names (KRaft) */
	char controller_listeners[4][KAFKA_NAME_MAX];

	size_t n_mechanisms;            /* sasl.enabled.mechanisms, default GSSAPI */
	char mechanisms[KAFKA_MECHS_MAX][KAFKA_NAME_MAX];
	char inter_broker_mechanism[KAFKA_NAME_MAX];    /* default GSSAPI */
	char inter_broker_protocol[KAFKA_NAME_MAX];     /* default PLAINTEXT */
	char inter_broker_listener[KAFKA_NAME_MAX];     /* "" unset */
	char oauth_server_handler[KAFKA_CLASS_MAX];     /* unprefixed keys */
	char oauth_login_handler[KAFKA_CLASS_MAX];
	char oauth_jwks_url[KAFKA_CLASS_MAX];
	bool inline_jaas;               /* sasl.jaas.config */

	char authorizer[KAFKA_CLASS_MAX];
	enum kafka_authorizer authorizer_kind;
	struct hw_num allow_everyone;   /* bool; unset is the default, false */

	struct hw_num broker_id;        /* unknown when unset or -1 (generated) */
	struct hw_num node_id;
	bool kraft;                     /* process.roles is set */
	bool role_broker;
	bool role_controller;
	char broker_rack[KAFKA_NAME_MAX];
	char inter_broker_protocol_version[KAFKA_VERSION_MAX];
	char log_message_format_version[KAFKA_VERSION_MAX];
	char zookeeper_connect[KAFKA_VALUE_MAX];
	/* What a topic without its own setting gets: min.insync.replicas
	 * (unset: 1), log.retention.ms, else .minutes, else .hours (unset:
	 * 168 hours), log.retention.bytes (unset: -1); -1 is unlimited.  A
	 * value the broker would refuse is unknown (and counted invalid). */
	struct hw_num min_isr;
	struct hw_num retention_ms;
	struct hw_num retention_bytes;

	size_t n_secret_files;
	struct kafka_secret_file secret_files[KAFKA_SECRET_FILES_MAX];

	unsigned n_invalid;
	char invalid[KAFKA_TEXT_MAX];   /* "file:12: key: why", the first one */
};

/* ---- kafka_config.c ---- */

/* name is the file named in messages.  -E2BIG when a value or a list is
 * over its bound (err names file, line and key). */
int kafka_config_parse(const struct props *p, const char *name,
		       struct kafka_config *out, struct hw_err *err);
/* Reads path below root (a server.properties) and parses it. */
int kafka_config_load(const char *root, const char *path,
		      struct kafka_config *out, struct hw_err *err);
/* Adds a file the broker reads but its properties do not name: the JAAS
 * file of -Djava.security.auth.login.config.  -E2BIG when full,
 * -ENAMETOOLONG when path or label is over its bound. */
int kafka_config_add_secret_file(struct kafka_config *c, const char *label,
				 const char *path);
const struct kafka_listener *kafka_config_listener(const struct kafka_config *c,
						   const char *name);
const char *kafka_protocol_name(enum kafka_protocol p);

/* ---- kafka_install.c ---- */

#define KAFKA_INSTALL_VERSIONS_MAX 8

struct kafka_install {
	char version[KAFKA_VERSION_MAX];        /* "" unknown or conflicting */
	char scala[16];                         /* "" unknown */
	bool conflict;                          /* jars of several versions */
	size_t n_versions;                      /* every distinct version seen */
	char versions[KAFKA_INSTALL_VERSIONS_MAX][KAFKA_VERSION_MAX];
	size_t n_scala;
	char scalas[KAFKA_INSTALL_VERSIONS_MAX][16];
};

/* Reads the names in <root>/<dir>/libs.  A libs directory without a
 * Kafka jar is not an error: the version is unknown. */
int kafka_install_probe(const char *root, const char *dir,
			struct kafka_install *out, struct hw_err *err);
/* Parses one jar file name; 0 with version (and scala, "" for
 * kafka-clients) or -ENOENT when it is not a broker or clients jar. */
int kafka_jar_version(const char *name, char *version, size_t vcap,
		      char *scala, size_t scap);
/* Orders dotted versions numerically, 0.10.2.1 < 2.8.0 < 3.6.1 < 4.0.0;
 * missing parts are 0 (2.8 == 2.8.0); a suffix after '-' sorts before the
 * bare version (3.6.1-SNAPSHOT < 3.6.1), suffixes compare as text; an
 * empty string sorts before every version.  <0, 0 or >0. */
int kafka_version_cmp(const char *a, const char *b);

/* ---- kafka_install.c: log dirs ---- */

struct kafka_logdir_stats {
	struct hw_num partitions;       /* directories named <topic>-<n> */
	struct hw_num deleting;         /* <topic>-<n>.<id>-delete */
	struct hw_num future;           /* <topic>-<n>.<id>-future: moving in */
	struct hw_num bytes;            /* st_size of every regular file below */
	bool truncated;                 /* the entry bound stopped the walk */
	/* statvfs of the filesystem holding the log dir: f_blocks and
	 * f_bavail (what the broker's user may still write) in bytes. */
	struct hw_num fs_total;
	struct hw_num fs_available;
};

/* Walks <root>/<dir> without following symlinks, at most two levels (the
 * log dir, then each partition's segment files), and reads the size of
 * its filesystem (unknown when statvfs fails or the product overflows). */
int kafka_logdir_stat(const char *root, const char *dir,
		      struct kafka_logdir_stats *out, struct hw_err *err);

/* This broker's partition directories of each topic: for the planner's
 * bytes to copy and the view's topic sizes. */
struct kafka_topic_size {
	char name[250];                 /* Kafka's names are at most 249 */
	int64_t bytes;                  /* st_size of its segment files */
	int32_t replicas;               /* its <topic>-<n> directories here */
};

struct kafka_topic_sizes {
	struct kafka_topic_size *v;     /* by name after _finish */
	size_t n, cap;
	bool truncated;                 /* a walk stopped: sizes unknown */
};

/* kafka_logdir_stat, also adding each partition directory to topics
 * (NULL: not wanted).  Call it once per log dir, then
 * kafka_topic_sizes_finish.  -ENOMEM too. */
int kafka_logdir_stat_topics(const char *root, const char *dir,
			     struct kafka_logdir_stats *out,
			     struct kafka_topic_sizes *topics,
			     struct hw_err *err);
/* Sorts by name and merges the directories of one topic. */
void kafka_topic_sizes_finish(struct kafka_topic_sizes *ts);
/* A topic's sizes, NULL when it has no directory here or the walk was
 * truncated (its size is then unknown, not small). */
const struct kafka_topic_size *
kafka_topic_sizes_find(const struct kafka_topic_sizes *ts, const char *name);
void kafka_topic_sizes_free(struct kafka_topic_sizes *ts);

/* ---- kafka_proc.c: when the broker's process started ---- */

/* Field 22 (starttime, clock ticks after boot) of a /proc/PID/stat line;
 * -EINVAL when the line has no such field. */
int kafka_proc_starttime(const char *buf, size_t len, int64_t *ticks);
/* The btime line of /proc/stat (seconds since the epoch); -ENOENT when
 * absent, -EINVAL when malformed. */
int kafka_proc_btime(const char *buf, size_t len, int64_t *btime);
/* <root>/proc/PID/stat's starttime and <root>/proc/stat's btime as ms
 * since the epoch; clk_tck is sysconf(_SC_CLK_TCK) of the host whose
 * /proc it is.  out unknown and err naming the file on failure. */
int kafka_proc_started_ms(const char *root, pid_t pid, long clk_tck,
			  struct hw_num *out, struct hw_err *err);

#endif

/*
 * bench_run — times whole commands and reads their peak RSS from wait4(),
 * which sees below the ~11 MiB floor of tools that sample /proc.
 *
 *   bench_run RUNS LABEL 'COMMAND' [LABEL 'COMMAND']...
 *
 * A COMMAND with shell syntax (; | &&) runs under /bin/sh -c, and its
 * figures are those of the whole group (ru_maxrss is the largest process).
 * Prints min/median/max wall time, median CPU time (user + system, which
 * load on other cores disturbs less) and median peak RSS per command, and the
 * ratios of the first command to each other one.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 8
#define MAX_RUNS 1000

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int run_once(const char *cmd, double *ms, double *cpu_ms, double *rss_kib)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status, fd;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open("/dev/null", 1);
		if (fd >= 0) {
			dup2(fd, 1);
			close(fd);
		}
		if (strpbrk(cmd, ";|&<>$")) {
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		} else {
			char *copy = strdup(cmd), *argv[64], *save = NULL;
			int n = 0;

			for (char *t = strtok_r(copy, " ", &save); t && n < 63;
			     t = strtok_r(NULL, " ", &save))
				argv[n++] = t;
			argv[n] = NULL;
			execvp(argv[0], argv);
		}
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	      (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	*rss_kib = (double)ru.ru_maxrss;
	*cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		  (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static double ms[MAX_CMDS][MAX_RUNS], cpu[MAX_CMDS][MAX_RUNS], rss[MAX_CMDS][MAX_RUNS];
	double med_ms[MAX_CMDS], med_cpu[MAX_CMDS], med_rss[MAX_CMDS];
	int runs, n, i, r;

	if (argc < 4 || (argc - 2) % 2 != 0 || (argc - 2) / 2 > MAX_CMDS) {
		fprintf(stderr, "usage: bench_run RUNS LABEL 'COMMAND' [LABEL 'COMMAND']...\n");
		return 2;
	}
	runs = atoi(argv[1]);
	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "bench_run: RUNS must be 1..%d\n", MAX_RUNS);
		return 2;
	}
	n = (argc - 2) / 2;
	/* Interleave the commands so that drift in the machine's load hits
	 * every command alike. */
	for (r = 0; r < runs; r++)
		for (i = 0; i < n; i++)
			if (run_once(argv[3 + 2 * i], &ms[i][r], &cpu[i][r], &rss[i][r]) < 0) {
				fprintf(stderr, "bench_run: '%s' failed\n", argv[3 + 2 * i]);
				return 1;
			}
	printf("%-12s %10s %10s %10s %12s %14s\n", "command", "min ms", "median ms",
	       "max ms", "median CPU ms", "peak RSS KiB");
	for (i = 0; i < n; i++) {
		qsort(ms[i], (size_t)runs, sizeof(double), cmp_double);
		qsort(rss[i], (size_t)runs, sizeof(double), cmp_double);
		qsort(cpu[i], (size_t)runs, sizeof(double), cmp_double);
		med_ms[i] = ms[i][runs / 2];
		med_cpu[i] = cpu[i][runs / 2];
		med_rss[i] = rss[i][runs / 2];
		printf("%-12s %10.2f %10.2f %10.2f %12.2f %14.0f\n", argv[2 + 2 * i],
		       ms[i][0], med_ms[i], ms[i][runs - 1], med_cpu[i], med_rss[i]);
	}
	for (i = 1; i < n; i++)
		printf("ratio %s/%s: time %.2f, CPU %.2f, RSS %.2f\n", argv[2],
		       argv[2 + 2 * i], med_ms[0] / med_ms[i],
		       med_cpu[0] / (med_cpu[i] > 0 ? med_cpu[i] : 1e-3),
		       med_rss[0] / med_rss[i]);
	return 0;
}

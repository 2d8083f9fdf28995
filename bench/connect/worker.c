/*
 * The timed part of bench/connect: socket() + connect() + close(), N times in a row, for UDP or
 * TCP, IPv4 or IPv6 (the family follows the address). Plain C so that what is timed is the
 * kernel's work and, under `steer run`, Steer's hooks — not a runtime's.
 *
 *   worker loop [CPU]                   read "udp|tcp ADDR PORT N B" lines on stdin; answer
 *                                       each with one line, "MEDIAN MEAN" (ns per operation,
 *                                       see below) or "error TEXT". Ends at end of input.
 *   worker once udp|tcp ADDR PORT N B   one round, printed the same way.
 *   worker serve ADDR PORT              TCP listener for the tcp rounds: prints "ready", then
 *                                       accepts and closes at once, until killed.
 *
 * A round times its N operations (rounded down to whole batches) in batches of B and reports the
 * median batch's ns/op, and the plain mean. On a busy machine a round is preempted now and
 * then; a batch of well under a millisecond mostly is not, so the median batch is the cost of
 * the operation itself while the mean also holds the time spent waiting for a core.
 *
 * The runner keeps one `worker loop` outside Steer and one inside `steer run` alive for the
 * whole benchmark and alternates rounds between them, so both see the same machine load. Both
 * are pinned to the same CPU: two cores need not be equally fast or equally disturbed (by
 * interrupts, say), and a worker that settled on the better one would win for that reason alone.
 *
 * TCP and TIME_WAIT: the client sets SO_LINGER {1, 0}, so close() sends a RST and the socket goes
 * straight to CLOSED. Without it every closed connection would hold its ephemeral port in
 * TIME_WAIT for 60 s and the ~28,000 ports would run out within a second or two of rounds.
 * The setsockopt() call is part of every timed operation, inside Steer or not (under Steer it
 * passes Steer's setsockopt hook, as any option a real program sets would).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct target {
	struct sockaddr_storage addr;
	socklen_t len;
	int type;
};

static int parse_target(const char *proto, const char *host, const char *port, struct target *t)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&t->addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&t->addr;
	char *end;
	long p = strtol(port, &end, 10);

	memset(t, 0, sizeof(*t));
	if (*end || p < 1 || p > 65535)
		return -1;
	if (strcmp(proto, "udp") == 0)
		t->type = SOCK_DGRAM;
	else if (strcmp(proto, "tcp") == 0)
		t->type = SOCK_STREAM;
	else
		return -1;

	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((unsigned short)p);
		t->len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((unsigned short)p);
		t->len = sizeof(*v6);
	} else {
		return -1;
	}
	return 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One socket()+connect()+close(). Returns 0, or -1 with errno set and *what naming the call. */
static int connect_once(const struct target *t, const char **what)
{
	static const struct linger reset = { .l_onoff = 1, .l_linger = 0 };
	int fd = socket(t->addr.ss_family, t->type | SOCK_CLOEXEC, 0);
	int saved;

	if (fd < 0) {
		*what = "socket";
		return -1;
	}
	if (t->type == SOCK_STREAM && setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset)) < 0) {
		*what = "setsockopt(SO_LINGER)";
		goto fail;
	}
	if (connect(fd, (const struct sockaddr *)&t->addr, t->len) < 0) {
		*what = "connect";
		goto fail;
	}
	close(fd);
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

#define MAX_BATCHES 65536

static int compare_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Runs one round and prints its result line. Returns 0 when the round completed. */
static int round_line(const char *proto, const char *host, const char *port, const char *count, const char *batch)
{
	static long long batches[MAX_BATCHES];
	struct target t;
	const char *what = "";
	char *end_n, *end_b;
	long n = strtol(count, &end_n, 10), b = strtol(batch, &end_b, 10);
	long long start, before, total = 0;
	long i, j, done = 0, nb = 0;

	if (*end_n || *end_b || n < 1 || b < 1 || b > n || n / b > MAX_BATCHES || parse_target(proto, host, port, &t) < 0) {
		printf("error usage: udp|tcp ADDR PORT N B, 1 <= B <= N, N/B <= %d (got %s %s %s %s %s)\n",
		       MAX_BATCHES, proto, host, port, count, batch);
		return -1;
	}
	start = now_ns();
	for (i = 0; i + b <= n; i += b) {
		before = now_ns();
		for (j = 0; j < b; j++, done++) {
			if (connect_once(&t, &what) < 0) {
				printf("error %s %s:%s: %s: %s (operation %ld)\n", proto, host, port, what, strerror(errno), done + 1);
				return -1;
			}
		}
		batches[nb++] = now_ns() - before;
	}
	total = now_ns() - start;
	qsort(batches, (size_t)nb, sizeof(batches[0]), compare_ll);
	printf("%.1f %.1f\n", (double)batches[nb / 2] / (double)b, (double)total / (double)done);
	return 0;
}

static int loop(const char *cpu)
{
	char line[256], proto[8], host[64], port[8], count[16], batch[16];

	if (cpu) {
		char *end;
		long n = strtol(cpu, &end, 10);
		cpu_set_t set;

		CPU_ZERO(&set);
		if (*end || n < 0 || n >= CPU_SETSIZE) {
			fprintf(stderr, "worker loop: bad CPU number %s\n", cpu);
			return 2;
		}
		CPU_SET((int)n, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			fprintf(stderr, "worker loop: pinning to CPU %ld: %s\n", n, strerror(errno));
			return 1;
		}
	}
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%7s %63s %7s %15s %15s", proto, host, port, count, batch) != 5)
			printf("error usage: udp|tcp ADDR PORT N B (got %s)\n", line);
		else
			round_line(proto, host, port, count, batch);
		fflush(stdout);
	}
	return 0;
}

static int serve(const char *host, const char *port)
{
	struct target t;
	int one = 1, fd, conn;

	if (parse_target("tcp", host, port, &t) < 0) {
		fprintf(stderr, "worker serve: bad address %s port %s\n", host, port);
		return 2;
	}
	fd = socket(t.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)&t.addr, t.len) < 0 || listen(fd, 4096) < 0) {
		fprintf(stderr, "worker serve %s %s: %s\n", host, port, strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (conn >= 0)
			close(conn);
		else if (errno != EINTR && errno != ECONNABORTED && errno != EMFILE && errno != ENFILE)
			fprintf(stderr, "worker serve: accept: %s\n", strerror(errno));
	}
}

int main(int argc, char **argv)
{
	if ((argc == 2 || argc == 3) && strcmp(argv[1], "loop") == 0)
		return loop(argc == 3 ? argv[2] : NULL);
	if (argc == 7 && strcmp(argv[1], "once") == 0)
		return round_line(argv[2], argv[3], argv[4], argv[5], argv[6]) == 0 ? 0 : 1;
	if (argc == 4 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2], argv[3]);
	fprintf(stderr, "usage: worker loop [CPU] | worker once udp|tcp ADDR PORT N B | worker serve ADDR PORT\n");
	return 2;
}

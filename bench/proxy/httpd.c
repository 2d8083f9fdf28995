// bench/proxy helper, plain C so the figures are the gateway's, not a runtime's.
//   httpd server PORT            HTTP/1.1 server: every request gets 200 with a 1 KiB body;
//                                "Connection: close" requests are closed after the answer.
//   httpd idle ADDR PORT N SECS  opens N TCP connections to ADDR:PORT, holds them SECS, prints
//                                how many were open.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static char response[2048], response_close[2048];
static int response_length, response_close_length;
static int listener;

static void *serve(void *unused) {
  (void)unused;
  int epoll = epoll_create1(0);
  struct epoll_event event = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = listener};
  epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
  struct epoll_event events[256];
  char buffer[8192];
  for (;;) {
    int n = epoll_wait(epoll, events, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        for (;;) {
          int client = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
          if (client < 0)
            break;
          struct epoll_event add = {.events = EPOLLIN, .data.fd = client};
          epoll_ctl(epoll, EPOLL_CTL_ADD, client, &add);
        }
        continue;
      }
      ssize_t got = read(fd, buffer, sizeof buffer - 1);
      if (got <= 0) {
        close(fd);
        continue;
      }
      buffer[got] = 0;
      if (strcasestr(buffer, "connection: close")) {
        if (write(fd, response_close, response_close_length) < 0) {
        }
        close(fd);
      } else if (write(fd, response, response_length) < 0) {
        close(fd);
      }
    }
  }
  return NULL;
}

static int server(int port) {
  char body[1024];
  memset(body, 'x', sizeof body);
  response_length = snprintf(response, sizeof response,
                             "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nContent-Type: text/plain\r\n\r\n%.*s",
                             sizeof body, (int)sizeof body, body);
  response_close_length = snprintf(response_close, sizeof response_close,
                                   "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: %zu\r\nContent-Type: text/plain\r\n\r\n%.*s",
                                   sizeof body, (int)sizeof body, body);
  listener = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int zero = 0, one = 1;
  setsockopt(listener, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in6 address = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any};
  if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0 || listen(listener, 4096) < 0) {
    perror("httpd: bind/listen");
    return 1;
  }
  pthread_t threads[2];
  for (int i = 0; i < 2; i++)
    pthread_create(&threads[i], NULL, serve, NULL);
  printf("listening\n");
  fflush(stdout);
  pthread_join(threads[0], NULL);
  return 0;
}

static int idle(const char *host, int port, int count, int seconds) {
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, host, &address.sin_addr);
  int open_count = 0;
  for (int i = 0; i < count; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) < 0) {
      perror("httpd idle: connect");
      break;
    }
    open_count++;
  }
  printf("open %d\n", open_count);
  fflush(stdout);
  sleep(seconds);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "server") == 0)
    return server(atoi(argv[2]));
  if (argc == 6 && strcmp(argv[1], "idle") == 0)
    return idle(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
  fprintf(stderr, "usage: httpd server PORT | httpd idle ADDR PORT N SECONDS\n");
  return 2;
}

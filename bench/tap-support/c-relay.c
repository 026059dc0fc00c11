/*
 * The floor for a relay in a process of its own with no runtime under it (bench/tap): one thread, epoll,
 * each client socket joined to its own upstream socket, one write per read, no framing, no recording.
 * Beside the Node pipe proxy it tells what the process hop costs on this machine from what Node's
 * runtime adds to it (the p99 of the latency samples, issue 12).
 *   c-relay LISTEN_PORT UPSTREAM_PORT        (both on 127.0.0.1; prints "ready" once it listens)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FD 65536

static int peer[MAX_FD];

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static void watch(int ep, int fd) {
  struct epoll_event e = {.events = EPOLLIN, .data.fd = fd};
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

/* Both ends go at once; an event already fetched for the other end then finds it parted and is skipped. */
static void part(int ep, int fd) {
  int other = peer[fd];
  peer[fd] = -1;
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
  if (other < 0) return;
  peer[other] = -1;
  epoll_ctl(ep, EPOLL_CTL_DEL, other, NULL);
  close(other);
}

/* A new client gets its own upstream connection; Nagle off on both, as the tap does. */
static void join_client(int ep, int listener, int up_port) {
  int one = 1;
  int client = accept(listener, NULL, NULL);
  if (client < 0) return;
  int up = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in to = loopback(up_port);
  if (up < 0 || client >= MAX_FD || up >= MAX_FD || connect(up, (struct sockaddr *)&to, sizeof to) < 0) {
    close(client);
    if (up >= 0) close(up);
    return;
  }
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  peer[client] = up;
  peer[up] = client;
  watch(ep, client);
  watch(ep, up);
}

/* Blocking writes: the bench's clients read all they are sent, so a full buffer only waits. */
static int write_all(int fd, const char *p, ssize_t n) {
  while (n > 0) {
    ssize_t k = write(fd, p, (size_t)n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    p += k;
    n -= k;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: c-relay LISTEN_PORT UPSTREAM_PORT\n");
    return 2;
  }
  int up_port = atoi(argv[2]);
  /* A peer that hung up is a failed write to part, not a signal that ends the relay for every client. */
  signal(SIGPIPE, SIG_IGN);
  for (int i = 0; i < MAX_FD; i++) peer[i] = -1;
  int one = 1;
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in at = loopback(atoi(argv[1]));
  if (bind(listener, (struct sockaddr *)&at, sizeof at) < 0 || listen(listener, 128) < 0) {
    perror("c-relay: listen");
    return 1;
  }
  int ep = epoll_create1(0);
  watch(ep, listener);
  printf("ready\n");
  fflush(stdout);
  static char buf[65536];
  struct epoll_event events[64];
  for (;;) {
    int n = epoll_wait(ep, events, 64, -1);
    if (n < 0 && errno == EINTR) continue;
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        join_client(ep, listener, up_port);
        continue;
      }
      if (peer[fd] < 0) continue;
      ssize_t got = read(fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0 || write_all(peer[fd], buf, got) < 0) part(ep, fd);
    }
  }
}

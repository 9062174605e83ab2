#include "tests/testing/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace enlace::testing {

TcpProxy::TcpProxy(int listen_port, int upstream_port) : upstream_port_(upstream_port) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(listen_port);
  bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  listen(listen_fd_, 64);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TcpProxy::~TcpProxy() {
  stopping_ = true;
  shutdown(listen_fd_, SHUT_RDWR);
  close(listen_fd_);
  acceptor_.join();
  SetPartitioned(true);
  for (auto& t : threads_) t.join();
}

void TcpProxy::SetPartitioned(bool partitioned) {
  partitioned_ = partitioned;
  if (!partitioned) return;
  std::lock_guard<std::mutex> l(mu_);
  for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
}

void TcpProxy::AcceptLoop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int client = accept(listen_fd_, nullptr, nullptr);
    if (client < 0) continue;
    if (partitioned_) {
      close(client);
      continue;
    }
    int upstream = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(upstream_port_);
    if (connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(client);
      close(upstream);
      continue;
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      open_fds_.insert(client);
      open_fds_.insert(upstream);
      threads_.emplace_back([this, client, upstream] { Pump(client, upstream); });
      threads_.emplace_back([this, client, upstream] { Pump(upstream, client); });
    }
  }
}

void TcpProxy::Pump(int from, int to) {
  char buf[65536];
  while (true) {
    ssize_t n = read(from, buf, sizeof(buf));
    if (n <= 0 || partitioned_) break;
    ssize_t off = 0;
    while (off < n) {
      ssize_t w = write(to, buf + off, n - off);
      if (w <= 0) break;
      off += w;
    }
    if (off < n) break;
  }
  shutdown(from, SHUT_RDWR);
  shutdown(to, SHUT_RDWR);
}

}  // namespace enlace::testing

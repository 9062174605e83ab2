#ifndef ENLACE_TESTS_TESTING_TCP_PROXY_H_
#define ENLACE_TESTS_TESTING_TCP_PROXY_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace enlace::testing {

// A loopback TCP forwarder that can partition the link: while partitioned it drops every
// open connection and refuses new ones, like a network cut between two nodes.
class TcpProxy {
 public:
  TcpProxy(int listen_port, int upstream_port);
  ~TcpProxy();
  int port() const { return port_; }
  void SetPartitioned(bool partitioned);

 private:
  void AcceptLoop();
  void Pump(int from, int to);
  int listen_fd_ = -1;
  int port_ = 0;
  const int upstream_port_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> partitioned_{false};
  std::mutex mu_;
  std::set<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace enlace::testing

#endif  // ENLACE_TESTS_TESTING_TCP_PROXY_H_

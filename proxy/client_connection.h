#pragma once
// What a worker needs of a client connection, whatever protocol it speaks (HTTP/1.1 or HTTP/2):
// start it, drain it, abort it. The connection tells the worker when it is done (Worker::release).

namespace consentry::proxy {

class ClientConnection {
 public:
  virtual ~ClientConnection() = default;
  virtual void start() = 0;
  // Finish what is in flight, accept nothing new, then close.
  virtual void drain() = 0;
  // Close at once (worker shutdown).
  virtual void abort() = 0;
};

}  // namespace consentry::proxy

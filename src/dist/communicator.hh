#pragma once
// Communicator: the collectives data-parallel training needs (DESIGN.md section 7,
// "Distributed"), with a serial implementation so that everything runs without mpirun
// (as Celeritas keeps a null communicator). mpi_communicator.hh has the MPI one.
//
//   SerialCommunicator serial;            // or MpiCommunicator when launched by mpirun/srun
//   comm.broadcast(store.values(), 0);    // rank 0's initial weights everywhere
//   comm.allreduce_sum(store.grads());    // gradients summed over ranks, in place
//
// Every call is collective: all ranks make the same calls in the same order.
#include <memory>
#include <span>
#include <string>

namespace calo::dist {

/// A collective in flight (Communicator::start_allreduce_sum, start_allgather): its buffers
/// must stay untouched until test() has said it is done.
class Request {
 public:
  virtual ~Request() = default;
  /// Progresses the collective; true once it is complete (then stays true).
  virtual bool test() = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// In place: every rank ends with the element-wise sum over ranks (the same bits on all).
  virtual void allreduce_sum(std::span<float> values) = 0;
  virtual void allreduce_sum(std::span<double> values) = 0;
  /// Every rank's `mine` (the same size on every rank) in rank order, on every rank: `all`
  /// holds size() x mine.size() floats.
  virtual void allgather(std::span<const float> mine, std::span<float> all) = 0;
  /// The same collectives started without waiting for them (MPI's non-blocking collectives),
  /// so that a waiting thread can sleep between test() calls instead of busy-polling inside
  /// the call on a core that backward needs (overlapped_allreduce.hh). The defaults complete
  /// them at once. Calls are collective in the same order as the blocking ones.
  virtual std::unique_ptr<Request> start_allreduce_sum(std::span<float> values);
  virtual std::unique_ptr<Request> start_allgather(std::span<const float> mine, std::span<float> all);
  /// In place: every rank ends with root's values (sizes must agree).
  virtual void broadcast(std::span<float> values, int root) = 0;
  /// Root's text on every rank (any length).
  virtual void broadcast(std::string& text, int root) = 0;
  /// Ends every rank of the job now with exit_code (a rank that failed alone: the others
  /// would wait for it forever in their next collective).
  [[noreturn]] virtual void abort(int exit_code) = 0;
  /// Whether a second thread may make the calls (one thread at a time): the allreduce that
  /// overlaps backward (overlapped_allreduce.hh) needs it.
  virtual bool calls_from_another_thread() const = 0;
};

/// One rank: sums and broadcasts leave their values as they are.
class SerialCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allreduce_sum(std::span<float>) override {}
  void allreduce_sum(std::span<double>) override {}
  void allgather(std::span<const float> mine, std::span<float> all) override;
  void broadcast(std::span<float>, int) override {}
  void broadcast(std::string&, int) override {}
  [[noreturn]] void abort(int exit_code) override;
  bool calls_from_another_thread() const override { return true; }
};

}  // namespace calo::dist

#pragma once
// MpiCommunicator: Communicator over MPI_COMM_WORLD (Open MPI from Debian here, any MPI on a
// cluster). Constructing it initialises MPI (thread level SERIALIZED: the overlap thread and
// the training thread never call at the same time); destroying it finalises MPI, except while
// an exception unwinds in a job of several ranks: then it aborts the job, because a finalise
// would wait for ranks that wait for this one (docs/distributed.md, "Failures").
//
//   if (dist::launched_by_mpi()) comm = std::make_unique<dist::MpiCommunicator>();
#include <string>

#include "dist/communicator.hh"

namespace calo::dist {

/// Whether a launcher started this process as a rank of a job: Open MPI's mpirun
/// (OMPI_COMM_WORLD_SIZE), PMIx (PMIX_RANK: Open MPI, srun --mpi=pmix) or PMI (PMI_SIZE:
/// MPICH's mpiexec, srun --mpi=pmi2). Without one, calo3dgan runs as one rank without MPI.
bool launched_by_mpi();

class MpiCommunicator final : public Communicator {
 public:
  /// RuntimeError when MPI cannot be initialised. At most one per process.
  MpiCommunicator();
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void allreduce_sum(std::span<float> values) override;
  void allreduce_sum(std::span<double> values) override;
  void allgather(std::span<const float> mine, std::span<float> all) override;
  std::unique_ptr<Request> start_allreduce_sum(std::span<float> values) override;
  std::unique_ptr<Request> start_allgather(std::span<const float> mine, std::span<float> all) override;
  void broadcast(std::span<float> values, int root) override;
  void broadcast(std::string& text, int root) override;
  [[noreturn]] void abort(int exit_code) override;
  bool calls_from_another_thread() const override { return serialized_; }

  /// The host this rank runs on (MPI_Get_processor_name).
  std::string host() const;

 private:
  int rank_ = 0, size_ = 1;
  bool serialized_ = false;
};

}  // namespace calo::dist

#include "dist/mpi_communicator.hh"

#include <mpi.h>

#include <climits>
#include <cstdlib>
#include <exception>
#include <string>

#include "core/error.hh"

namespace calo::dist {

namespace {

/// MPI counts are int: long buffers go in slices.
constexpr std::size_t kMaxCount = INT_MAX / 2;

template <class T>
void allreduce_in_slices(std::span<T> values, MPI_Datatype type) {
  for (std::size_t at = 0; at < values.size(); at += kMaxCount) {
    const std::size_t n = std::min(kMaxCount, values.size() - at);
    MPI_Allreduce(MPI_IN_PLACE, values.data() + at, static_cast<int>(n), type, MPI_SUM, MPI_COMM_WORLD);
  }
}

class MpiRequest final : public Request {
 public:
  ~MpiRequest() override {
    if (!done_) MPI_Wait(&request_, MPI_STATUS_IGNORE);  // never abandon buffers MPI still uses
  }
  bool test() override {
    if (!done_) {
      int flag = 0;
      MPI_Test(&request_, &flag, MPI_STATUS_IGNORE);
      done_ = flag != 0;
    }
    return done_;
  }
  MPI_Request request_ = MPI_REQUEST_NULL;

 private:
  bool done_ = false;
};

}  // namespace

bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
    if (std::getenv(name)) return true;
  return false;
}

MpiCommunicator::MpiCommunicator() {
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
    throw RuntimeError("MPI could not be initialised (MPI_Init_thread failed)");
  serialized_ = provided >= MPI_THREAD_SERIALIZED;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiCommunicator::~MpiCommunicator() {
  if (size_ > 1 && std::uncaught_exceptions() > 0) MPI_Abort(MPI_COMM_WORLD, 1);
  MPI_Finalize();
}

void MpiCommunicator::allreduce_sum(std::span<float> values) { allreduce_in_slices(values, MPI_FLOAT); }
void MpiCommunicator::allreduce_sum(std::span<double> values) { allreduce_in_slices(values, MPI_DOUBLE); }

void MpiCommunicator::allgather(std::span<const float> mine, std::span<float> all) {
  CALO_ASSERT(all.size() == mine.size() * static_cast<std::size_t>(size_));
  CALO_VALIDATE(mine.size() <= kMaxCount, "allgather of " + std::to_string(mine.size()) +
                                              " floats per rank: more than MPI's int count allows");
  MPI_Allgather(mine.data(), static_cast<int>(mine.size()), MPI_FLOAT, all.data(),
                static_cast<int>(mine.size()), MPI_FLOAT, MPI_COMM_WORLD);
}

std::unique_ptr<Request> MpiCommunicator::start_allreduce_sum(std::span<float> values) {
  if (values.size() > kMaxCount) return Communicator::start_allreduce_sum(values);  // in slices, blocking
  auto r = std::make_unique<MpiRequest>();
  MPI_Iallreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_FLOAT, MPI_SUM,
                 MPI_COMM_WORLD, &r->request_);
  return r;
}

std::unique_ptr<Request> MpiCommunicator::start_allgather(std::span<const float> mine, std::span<float> all) {
  CALO_ASSERT(all.size() == mine.size() * static_cast<std::size_t>(size_));
  if (mine.size() > kMaxCount) return Communicator::start_allgather(mine, all);  // refused there
  auto r = std::make_unique<MpiRequest>();
  MPI_Iallgather(mine.data(), static_cast<int>(mine.size()), MPI_FLOAT, all.data(),
                 static_cast<int>(mine.size()), MPI_FLOAT, MPI_COMM_WORLD, &r->request_);
  return r;
}

void MpiCommunicator::broadcast(std::span<float> values, int root) {
  for (std::size_t at = 0; at < values.size(); at += kMaxCount) {
    const std::size_t n = std::min(kMaxCount, values.size() - at);
    MPI_Bcast(values.data() + at, static_cast<int>(n), MPI_FLOAT, root, MPI_COMM_WORLD);
  }
}

void MpiCommunicator::broadcast(std::string& text, int root) {
  unsigned long long length = text.size();
  MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, root, MPI_COMM_WORLD);
  text.resize(length);
  for (std::size_t at = 0; at < text.size(); at += kMaxCount) {
    const std::size_t n = std::min<std::size_t>(kMaxCount, text.size() - at);
    MPI_Bcast(text.data() + at, static_cast<int>(n), MPI_CHAR, root, MPI_COMM_WORLD);
  }
}

void MpiCommunicator::abort(int exit_code) {
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);  // MPI_Abort does not return; this is for the compiler
}

std::string MpiCommunicator::host() const {
  char name[MPI_MAX_PROCESSOR_NAME];
  int length = 0;
  MPI_Get_processor_name(name, &length);
  return std::string(name, static_cast<std::size_t>(length));
}

}  // namespace calo::dist

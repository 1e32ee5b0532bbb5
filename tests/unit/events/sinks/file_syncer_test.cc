#include "events/sinks/file_syncer.h"
#include "tests/helpers/temp_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace consentry::events {
namespace {

using test_support::TempDir;

bool isOpen(int fd) {
  return ::fcntl(fd, F_GETFD) != -1;
}

int openFile(const TempDir& dir, const std::string& name) {
  return ::open((dir.str() + "/" + name).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

TEST(FileSyncer, RetireSyncsAndClosesTheDescriptor) {
  TempDir dir;
  FileSyncer syncer;
  int fd = openFile(dir, "a");
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "x\n", 2), 2);
  syncer.retire(fd);
  syncer.drain();
  EXPECT_FALSE(isOpen(fd));
  EXPECT_EQ(syncer.takeError(), 0);
}

TEST(FileSyncer, SyncSoonLeavesTheCallersDescriptorOpen) {
  TempDir dir;
  FileSyncer syncer;
  int fd = openFile(dir, "b");
  ASSERT_GE(fd, 0);
  syncer.syncSoon(fd);
  syncer.drain();
  EXPECT_TRUE(isOpen(fd));
  EXPECT_EQ(::write(fd, "y\n", 2), 2);
  ::close(fd);
}

TEST(FileSyncer, ReportsAFailedSyncOnce) {
  // fdatasync on a pipe fails with EINVAL: the error the sink turns into a readiness failure.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  FileSyncer syncer;
  syncer.syncSoon(fds[1]);
  syncer.drain();
  EXPECT_EQ(syncer.takeError(), EINVAL);
  EXPECT_EQ(syncer.takeError(), 0);
  syncer.retire(fds[0]);
  syncer.retire(fds[1]);
}

TEST(FileSyncer, DestructorFinishesRetiredFiles) {
  TempDir dir;
  int fds[3];
  {
    FileSyncer syncer;
    for (int& fd : fds) {
      fd = openFile(dir, "c" + std::to_string(&fd - fds));
      ASSERT_GE(fd, 0);
      syncer.retire(fd);
    }
  }
  for (int fd : fds) EXPECT_FALSE(isOpen(fd));
}

}  // namespace
}  // namespace consentry::events

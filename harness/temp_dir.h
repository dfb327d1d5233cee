// A private temporary directory (mkdtemp, mode 0700) for AF_UNIX socket
// paths, removed with everything in it when the object goes away.
#pragma once

#include <string>
#include <string_view>

namespace sockspec {

class TempDir {
 public:
  TempDir();   // aborts the test run if no temp dir can be made (nothing can work then)
  ~TempDir();  // removes the directory tree
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string Path(std::string_view name) const;
  // A fresh name in the directory on each call: "<prefix>-<n>".
  std::string UniquePath(std::string_view prefix = "s");

 private:
  std::string path_;
  int counter_ = 0;
};

// Removes `path` and everything below it; ignores what is already gone.
void RemoveTree(const std::string& path);

}  // namespace sockspec

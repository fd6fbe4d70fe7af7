#include "token_file.hpp"

#include "sriov/error.hpp"
#include "vfio/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

namespace sriov::sriovd {

void write_token_file(const std::filesystem::path& path, const vfio::VfToken& token)
{
    const std::filesystem::path tmp = path.string() + ".tmp";
    const std::string text = token.to_string() + "\n";
    {
        UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
        if (!fd)
            throw system_error(path.string(), "create the VF token file", errno);
        if (::fchmod(fd.get(), 0640) != 0)
            throw system_error(path.string(), "set the VF token file's mode", errno);
        const ssize_t n = ::write(fd.get(), text.data(), text.size());
        if (n != static_cast<ssize_t>(text.size()))
            throw system_error(path.string(), "write the VF token file", n < 0 ? errno : EIO);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw system_error(path.string(), "put the VF token file in place", err);
    }
}

}  // namespace sriov::sriovd

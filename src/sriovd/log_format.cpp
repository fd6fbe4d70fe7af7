#include "sriovd/log_format.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace sriov::sriovd {

namespace {

// The flag %* of the pattern: the line's syslog priority prefix.
class PriorityFlag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override
    {
        const auto prefix = syslog_prefix(msg.level);
        dest.append(prefix.data(), prefix.data() + prefix.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<PriorityFlag>(); }
};

}  // namespace

std::string_view syslog_prefix(int spdlog_level)
{
    switch (spdlog_level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
        return SD_DEBUG;
    case spdlog::level::info:
        return SD_INFO;
    case spdlog::level::warn:
        return SD_WARNING;
    case spdlog::level::err:
        return SD_ERR;
    default:
        return SD_CRIT;
    }
}

bool stderr_is_journal()
{
    const char* stream = std::getenv("JOURNAL_STREAM");
    struct stat st {};
    if (!stream || ::fstat(STDERR_FILENO, &st) != 0)
        return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2)
        return false;
    return dev == st.st_dev && ino == st.st_ino;
}

void set_log_format(bool journal)
{
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    if (journal)
        formatter->add_flag<PriorityFlag>('*').set_pattern("%*%v");
    else
        formatter->set_pattern("%Y-%m-%d %H:%M:%S.%e sriovd %l: %v");
    spdlog::set_formatter(std::move(formatter));
}

}  // namespace sriov::sriovd

#include "process_age.hpp"

#include <time.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <string>

namespace sriov::sriovd {

std::optional<unsigned long long> stat_start_ticks(std::string_view stat_line)
{
    const auto name_end = stat_line.rfind(')');
    if (name_end == std::string_view::npos)
        return std::nullopt;
    // After the name: " state ppid ... starttime", starttime being the 20th field from "state".
    std::string_view rest = stat_line.substr(name_end + 1);
    for (int field = 0; field < 19; ++field) {
        const auto space = rest.find(' ', 1);
        if (space == std::string_view::npos)
            return std::nullopt;
        rest = rest.substr(space);
    }
    rest.remove_prefix(1);
    unsigned long long ticks = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), ticks);
    if (ec != std::errc() || end == rest.data() || (end != rest.data() + rest.size() && *end != ' ' && *end != '\n'))
        return std::nullopt;
    return ticks;
}

std::optional<std::chrono::milliseconds> time_since_start()
{
    std::ifstream in("/proc/self/stat");
    const std::string line{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto ticks = stat_start_ticks(line);
    const long hz = ::sysconf(_SC_CLK_TCK);
    timespec now{};
    if (!ticks || hz <= 0 || ::clock_gettime(CLOCK_BOOTTIME, &now) != 0)
        return std::nullopt;
    const long long now_ms = static_cast<long long>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
    const long long start_ms = static_cast<long long>(*ticks * 1000 / static_cast<unsigned long long>(hz));
    return std::chrono::milliseconds(now_ms > start_ms ? now_ms - start_ms : 0);
}

}  // namespace sriov::sriovd

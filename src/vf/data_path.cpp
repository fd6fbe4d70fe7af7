#include "vf/data_path.hpp"

#include "sriov/error.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <string_view>

namespace sriov::vf {

bool data_path_supported(DataPath path)
{
    switch (path) {
    case DataPath::scalar: return true;
    case DataPath::sse41:
#if defined(__x86_64__)
        __builtin_cpu_init();  // in case a queue is built by a static constructor, before the CPU model is
        return __builtin_cpu_supports("sse4.1");
#else
        return false;
#endif
    }
    return false;
}

DataPath best_data_path()
{
    const char* forced = std::getenv("LIBVF_DATA_PATH");
    if (forced && std::string_view(forced) == "scalar")
        return DataPath::scalar;
    return data_path_supported(DataPath::sse41) ? DataPath::sse41 : DataPath::scalar;
}

std::string_view data_path_name(DataPath path)
{
    return path == DataPath::sse41 ? "sse4.1" : "scalar";
}

void require_data_path(DataPath path, const std::string& subject)
{
    if (!data_path_supported(path))
        throw Error(Errc::invalid_argument, subject,
                    fmt::format("the {} data path does not run on this build or CPU", data_path_name(path)));
}

}  // namespace sriov::vf

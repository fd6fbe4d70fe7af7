#include "token_file.hpp"

#include "atomic_file.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>

namespace sriov::sriovd {

void write_token_file(const std::filesystem::path& path, const vfio::VfToken& token, std::optional<gid_t> group)
{
    write_file_atomically(path, token.to_string() + "\n", 0640, group);
}

vfio::VfToken load_or_create_token(const std::filesystem::path& path, std::optional<gid_t> group)
{
    if (const auto text = read_own_file_if_present(path)) {
        std::string_view t = *text;
        while (!t.empty() && (t.back() == '\n' || t.back() == ' '))
            t.remove_suffix(1);
        std::optional<vfio::VfToken> kept;
        try {
            kept = vfio::VfToken::parse(t);
        } catch (const Error& e) {
            throw Error(Errc::invalid_argument, path.string(),
                        fmt::format("holds no VF token ({}); VF users may still hold the old one: restore "
                                    "it, or remove the file once no VF is in use",
                                    e.cause()));
        }
        // Written again, the same token: the file gets this start's group and mode through a new
        // file's descriptor, never by a chown or chmod of a path.
        write_token_file(path, *kept, group);
        return *kept;
    }
    const vfio::VfToken token = vfio::VfToken::generate();
    write_token_file(path, token, group);
    return token;
}

}  // namespace sriov::sriovd

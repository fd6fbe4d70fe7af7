// The VF token: a UUID shared between the VFIO user of a PF and the VFIO users of its VFs.
//
// While a PF is owned through VFIO, the kernel lets a VF be opened only by someone who presents
// the token the PF's owner set (Linux vfio-pci, VFIO_DEVICE_FEATURE_PCI_VF_TOKEN).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sriov::vfio {

class VfToken {
public:
    using Bytes = std::array<std::uint8_t, 16>;

    explicit VfToken(const Bytes& bytes) : bytes_(bytes) {}

    // A fresh random (version 4) UUID. Throws sriov::Error (io) when no randomness can be read.
    static VfToken generate();
    // Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex digits, either case).
    // Throws sriov::Error (invalid_argument) naming the text otherwise.
    static VfToken parse(std::string_view text);
    // Reads the token from the first line of the file at `path`, as sriovd writes it (trailing
    // white space ignored). Throws sriov::Error naming the file: not_found when it does not exist
    // (sriovd is not running, or keeps it elsewhere), permission when the caller may not read it
    // (the cause names its owner, group and mode), invalid_argument when it holds no token, io
    // for any other failure.
    static VfToken read_file(const std::string& path);

    // Lower-case canonical form, as the kernel expects it after "vf_token=".
    std::string to_string() const;
    const Bytes& bytes() const { return bytes_; }

    friend bool operator==(const VfToken&, const VfToken&) = default;

private:
    Bytes bytes_;
};

}  // namespace sriov::vfio

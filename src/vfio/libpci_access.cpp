#include "vfio/libpci_access.hpp"

#include "sriov/error.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

extern "C" {
#include <pci/pci.h>
}

namespace sriov::pci {
namespace {

// libpci's own error handler prints and calls exit(). Ours turns the message into an exception,
// which unwinds through libpci's C frames (built with unwind tables on Debian) back to describe().
// The GNU spelling of noreturn, not [[noreturn]]: libpci's pointer type carries it, and clang
// accepts only a function of that very type.
__attribute__((noreturn, format(printf, 1, 2))) void on_libpci_error(char* format, ...)
{
    std::array<char, 512> text{};
    va_list args;
    va_start(args, format);
    std::vsnprintf(text.data(), text.size(), format, args);
    va_end(args);
    throw Error(Errc::io, "libpci", text.data());
}

__attribute__((format(printf, 1, 2))) void on_libpci_warning(char* format, ...)
{
    std::array<char, 512> text{};
    va_list args;
    va_start(args, format);
    std::vsnprintf(text.data(), text.size(), format, args);
    va_end(args);
    spdlog::debug("libpci: {}", text.data());
}

__attribute__((format(printf, 1, 2))) void on_libpci_debug(char*, ...) {}

void set_param(pci_access* access, const char* name, const std::string& value)
{
    // libpci copies the value; the names are fixed strings it only reads.
    if (pci_set_param(access, const_cast<char*>(name), const_cast<char*>(value.c_str())) != 0)
        spdlog::debug("libpci has no parameter {}", name);
}

struct DevDeleter {
    void operator()(pci_dev* dev) const noexcept { pci_free_dev(dev); }
};

std::optional<std::string> lookup(pci_access* access, int flags, int vendor, int device)
{
    std::array<char, 256> buffer{};
    const char* name = pci_lookup_name(access, buffer.data(), static_cast<int>(buffer.size()),
                                       flags | PCI_LOOKUP_NO_NUMBERS, vendor, device);
    if (name == nullptr || *name == '\0')
        return std::nullopt;
    return std::string(name);
}

std::optional<SriovRegisters> read_sriov(pci_dev* dev)
{
    pci_cap* cap = pci_find_cap(dev, sriov_cap::id, PCI_CAP_EXTENDED);
    if (cap == nullptr)
        return std::nullopt;
    const int base = static_cast<int>(cap->addr);
    SriovRegisters r;
    r.cap_offset = static_cast<std::uint16_t>(base);
    r.control = pci_read_word(dev, base + sriov_cap::control);
    r.initial_vfs = pci_read_word(dev, base + sriov_cap::initial_vfs);
    r.total_vfs = pci_read_word(dev, base + sriov_cap::total_vfs);
    r.num_vfs = pci_read_word(dev, base + sriov_cap::num_vfs);
    r.vf_offset = pci_read_word(dev, base + sriov_cap::first_vf_offset);
    r.vf_stride = pci_read_word(dev, base + sriov_cap::vf_stride);
    r.vf_device_id = pci_read_word(dev, base + sriov_cap::vf_device_id);
    return r;
}

}  // namespace

void LibPci::Deleter::operator()(pci_access* access) const noexcept { pci_cleanup(access); }

LibPci::LibPci(const Sysfs& sysfs, std::optional<std::filesystem::path> ids_file)
{
    access_.reset(pci_alloc());
    if (!access_)
        throw Error(Errc::io, "libpci", "pci_alloc failed");
    pci_access* a = access_.get();
    a->error = on_libpci_error;
    a->warning = on_libpci_warning;
    a->debug = on_libpci_debug;
    a->method = PCI_ACCESS_SYS_BUS_PCI;
    set_param(a, "sysfs.path", sysfs.pci_bus_dir().string());
    if (ids_file) {
        // pci_set_name_list_path keeps the pointer; with to_be_freed = 1 libpci frees it itself.
        const std::string path = ids_file->string();
        char* copy = static_cast<char*>(std::malloc(path.size() + 1));
        if (copy == nullptr)
            throw std::bad_alloc();
        std::copy(path.c_str(), path.c_str() + path.size() + 1, copy);
        pci_set_name_list_path(a, copy, 1);
        set_param(a, "hwdb.disable", "1");
    }
    pci_init(a);
}

LibPci::~LibPci() = default;

LibPciDevice LibPci::describe(const Address& address)
{
    try {
        std::unique_ptr<pci_dev, DevDeleter> dev(pci_get_dev(access_.get(), static_cast<int>(address.domain),
                                                             address.bus, address.device, address.function));
        if (!dev)
            throw Error(Errc::io, "libpci", "pci_get_dev failed");
        pci_fill_info(dev.get(), PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT);

        LibPciDevice d;
        d.vendor_id = dev->vendor_id;
        d.device_id = dev->device_id;
        d.class_code = std::uint32_t{dev->device_class} << 8 | dev->prog_if;
        d.vendor_name = lookup(access_.get(), PCI_LOOKUP_VENDOR, d.vendor_id, 0);
        d.device_name = lookup(access_.get(), PCI_LOOKUP_DEVICE, d.vendor_id, d.device_id);
        d.sriov = read_sriov(dev.get());
        return d;
    } catch (const Error& e) {
        throw Error(e.code(), address.to_string(), fmt::format("{}: {}", e.subject(), e.cause()));
    }
}

}  // namespace sriov::pci

// E82576Model: the lock, the RegisterIo views, and the interrupt hook around detail::Device.
#include "model/e82576_model.hpp"

#include "model/device.hpp"
#include "sriov/error.hpp"

#include <fmt/format.h>

#include <type_traits>
#include <utility>
#include <vector>

namespace sriov::model {

// Runs `body` on the device under the lock, then hands the interrupt messages it caused to the
// hook with the lock released (so the hook may access the model, e.g. to signal a waiting VF).
template <typename Access>
auto E82576Model::access(Access&& body)
{
    std::unique_lock lock(mutex_);
    if (latch_tails_.load(std::memory_order_relaxed))
        take_latched_tails();
    auto deliver = [&] {
        std::vector<Interrupt>& sent = device_->sent();
        std::vector<MailboxWrite>& writes = device_->mailbox_writes();
        if ((!hook_ || sent.empty()) && writes.empty()) {
            sent.clear();
            return;
        }
        std::vector<Interrupt> messages;
        if (hook_)
            messages.assign(sent.begin(), sent.end());
        sent.clear();
        std::vector<MailboxWrite> noted(writes.begin(), writes.end());
        writes.clear();
        auto hook = hook_;
        auto mailbox_hook = mailbox_hook_;
        lock.unlock();
        for (const MailboxWrite& write : noted)
            (*mailbox_hook)(write);
        for (const Interrupt& message : messages)
            (*hook)(message);
    };
    if constexpr (std::is_void_v<decltype(body(*device_))>) {
        body(*device_);
        deliver();
    } else {
        auto result = body(*device_);
        deliver();
        return result;
    }
}

template <typename Access>
auto E82576Model::observe(Access&& body) const
{
    std::lock_guard lock(mutex_);
    return body(static_cast<const detail::Device&>(*device_));
}

class E82576Model::PfView final : public dev::RegisterIo {
public:
    explicit PfView(E82576Model& model) : model_(model) {}
    std::uint32_t read32(std::uint32_t offset) override
    {
        return model_.access([&](detail::Device& d) { return d.pf_read(offset); });
    }
    void write32(std::uint32_t offset, std::uint32_t value) override
    {
        model_.access([&](detail::Device& d) { d.pf_write(offset, value); });
    }

private:
    E82576Model& model_;
};

class E82576Model::VfView final : public dev::RegisterIo {
public:
    VfView(E82576Model& model, unsigned vf) : model_(model), vf_(vf) {}
    std::uint32_t read32(std::uint32_t offset) override
    {
        return model_.access([&](detail::Device& d) { return d.vf_read(vf_, offset); });
    }
    void write32(std::uint32_t offset, std::uint32_t value) override
    {
        if (model_.latch_tails_.load(std::memory_order_relaxed)) {
            if (const int slot = tail_slot(offset); slot >= 0) {
                // A posted write: the descriptors written before it are released with it.
                model_.latched_tails_[vf_ * tails_per_vf + static_cast<unsigned>(slot)].store(
                    value & 0xFFFFu, std::memory_order_release);
                model_.tails_latched_.store(true, std::memory_order_release);
                return;
            }
        }
        model_.access([&](detail::Device& d) { d.vf_write(vf_, offset, value); });
    }

private:
    E82576Model& model_;
    unsigned vf_;
};

// Which latch holds a VF tail register, or -1 for any other offset.
int E82576Model::tail_slot(std::uint32_t vf_offset)
{
    for (unsigned q = 0; q < 2; ++q) {
        if (vf_offset == e82576::VF_RDT(q))
            return static_cast<int>(2 * q);
        if (vf_offset == e82576::VF_TDT(q))
            return static_cast<int>(2 * q + 1);
    }
    return -1;
}

// Under the lock: each tail latched since the last access becomes an ordinary VF write (with the
// checks and masks of vf_write), so it lands in order before whatever the access does next.
void E82576Model::take_latched_tails()
{
    // The flag is set after its latch, so a tail latched after the exchange sets it again.
    if (!tails_latched_.load(std::memory_order_relaxed) || !tails_latched_.exchange(false, std::memory_order_acquire))
        return;
    for (unsigned i = 0; i < latched_tails_.size(); ++i) {
        std::atomic<std::uint32_t>& latch = latched_tails_[i];
        if (latch.load(std::memory_order_relaxed) == no_tail)
            continue;
        const std::uint32_t tail = latch.exchange(no_tail, std::memory_order_acquire);
        const unsigned vf = i / tails_per_vf, slot = i % tails_per_vf, queue = slot / 2;
        device_->vf_write(vf, slot % 2 ? e82576::VF_TDT(queue) : e82576::VF_RDT(queue), tail);
    }
}

E82576Model::E82576Model(const MacAddress& nvm_mac)
    : device_(std::make_unique<detail::Device>(nvm_mac)), pf_view_(std::make_unique<PfView>(*this))
{
    for (unsigned n = 0; n < vf_views_.size(); ++n)
        vf_views_[n] = std::make_unique<VfView>(*this, n);
    for (std::atomic<std::uint32_t>& latch : latched_tails_)
        latch.store(no_tail, std::memory_order_relaxed);
}

E82576Model::~E82576Model() = default;

dev::RegisterIo& E82576Model::pf()
{
    return *pf_view_;
}

dev::RegisterIo& E82576Model::vf(unsigned n)
{
    if (n >= vf_views_.size())
        throw Error(Errc::invalid_argument, "82576 model", fmt::format("there is no VF {}", n));
    return *vf_views_[n];
}

void E82576Model::set_num_vfs(unsigned n)
{
    access([&](detail::Device& d) { d.set_num_vfs(n); });
}

unsigned E82576Model::num_vfs() const
{
    return observe([](const detail::Device& d) { return d.num_vfs(); });
}

void E82576Model::set_nvm_mac(const MacAddress& mac)
{
    access([&](detail::Device& d) { d.set_nvm_mac(mac); });
}

void E82576Model::set_link(bool cable_connected)
{
    access([&](detail::Device& d) { d.set_cable(cable_connected); });
}

void E82576Model::set_autoneg(Autoneg mode)
{
    access([&](detail::Device& d) { d.set_autoneg(mode); });
}

void E82576Model::complete_autoneg()
{
    access([](detail::Device& d) { d.complete_autoneg(); });
}

void E82576Model::vf_function_level_reset(unsigned n)
{
    if (n >= vf_views_.size())
        throw Error(Errc::invalid_argument, "82576 model", fmt::format("there is no VF {}", n));
    access([&](detail::Device& d) { d.vf_reset(n); });
}

void E82576Model::attach_dma(std::uint64_t iova, void* host, std::size_t size)
{
    access([&](detail::Device& d) { d.attach_dma(iova, host, size); });
}

bool E82576Model::inject_rx(unsigned pool, std::span<const std::uint8_t> frame)
{
    if (pool >= e82576::num_pools)
        throw Error(Errc::invalid_argument, "82576 model", fmt::format("there is no pool {}", pool));
    return access([&](detail::Device& d) { return d.inject_rx(pool, frame); });
}

std::vector<std::vector<std::uint8_t>> E82576Model::take_tx(unsigned pool)
{
    if (pool >= e82576::num_pools)
        throw Error(Errc::invalid_argument, "82576 model", fmt::format("there is no pool {}", pool));
    return access([&](detail::Device& d) { return d.take_tx(pool); });
}

void E82576Model::set_descriptor_work(DescriptorWork mode)
{
    // access() first lands any tail latched so far, then the mode changes.
    access([&](detail::Device& d) {
        const bool device_thread = mode == DescriptorWork::device_thread;
        d.set_defer_tx(device_thread);
        latch_tails_.store(device_thread, std::memory_order_relaxed);
    });
}

std::uint32_t E82576Model::complete_tx(unsigned pool)
{
    if (pool >= e82576::num_pools)
        throw Error(Errc::invalid_argument, "82576 model", fmt::format("there is no pool {}", pool));
    return access([&](detail::Device& d) { return d.complete_tx(pool); });
}

std::uint32_t E82576Model::fill_rx(unsigned pool, std::span<const std::uint8_t> frame, std::uint32_t max)
{
    if (pool >= e82576::num_pools)
        throw Error(Errc::invalid_argument, "82576 model", fmt::format("there is no pool {}", pool));
    return access([&](detail::Device& d) { return d.fill_rx(pool, frame, max); });
}

std::uint64_t E82576Model::rx_dropped(unsigned pool) const
{
    return observe([&](const detail::Device& d) { return d.rx_dropped(pool); });
}

void E82576Model::set_interrupt_hook(std::function<void(const Interrupt&)> hook)
{
    std::lock_guard lock(mutex_);
    hook_ = hook ? std::make_shared<const std::function<void(const Interrupt&)>>(std::move(hook)) : nullptr;
}

void E82576Model::set_mailbox_hook(std::function<void(const MailboxWrite&)> hook)
{
    std::lock_guard lock(mutex_);
    mailbox_hook_ = hook ? std::make_shared<const std::function<void(const MailboxWrite&)>>(std::move(hook)) : nullptr;
    device_->record_mailbox_writes(mailbox_hook_ != nullptr);
    device_->mailbox_writes().clear();
}

std::uint32_t E82576Model::peek(std::uint32_t offset) const
{
    return observe([&](const detail::Device& d) { return d.pf_peek(offset); });
}

void E82576Model::poke(std::uint32_t offset, std::uint32_t value)
{
    access([&](detail::Device& d) { d.pf_poke(offset, value); });
}

std::uint32_t E82576Model::vf_mailbox_bits(unsigned n) const
{
    return observe([&](const detail::Device& d) { return d.vf_mailbox_bits(n); });
}

std::uint16_t E82576Model::phy_register(unsigned reg) const
{
    return observe([&](const detail::Device& d) { return d.phy_register(reg); });
}

std::uint32_t E82576Model::tx_rate_control(unsigned queue) const
{
    return observe([&](const detail::Device& d) { return d.tx_rate_control(queue); });
}

std::uint64_t E82576Model::pf_interrupts(unsigned vector) const
{
    return observe([&](const detail::Device& d) { return d.counters().pf_vector.at(vector); });
}

std::uint64_t E82576Model::pf_other_interrupts() const
{
    return observe([](const detail::Device& d) { return d.counters().pf_other; });
}

std::uint64_t E82576Model::vf_interrupts(unsigned n) const
{
    return observe([&](const detail::Device& d) {
        std::uint64_t total = 0;
        for (std::uint64_t count : d.counters().vf_vector.at(n))
            total += count;
        return total;
    });
}

std::uint64_t E82576Model::vf_interrupts(unsigned n, unsigned vector) const
{
    return observe([&](const detail::Device& d) { return d.counters().vf_vector.at(n).at(vector); });
}

std::uint64_t E82576Model::vf_mailbox_notifications(unsigned n) const
{
    return observe([&](const detail::Device& d) { return d.counters().vf_mailbox_notifications.at(n); });
}

std::uint64_t E82576Model::dropped_interrupts() const
{
    return observe([](const detail::Device& d) { return d.counters().dropped; });
}

}  // namespace sriov::model

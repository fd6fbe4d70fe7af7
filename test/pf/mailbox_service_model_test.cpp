// The interrupt-driven mailbox service end to end on the register model: libvf's VF side talks to
// it through the modelled mailbox, and the model's interrupt messages to the PF's vector 0 signal
// the eventfd the service waits on, as VFIO does. Nothing polls on the PF side.
#include "pf/mailbox_service.hpp"

#include "pf/e82576_pf.hpp"
#include "pf/vf_supervisor.hpp"

#include "admin.hpp"
#include "model/e82576_model.hpp"
#include "sriov/e82576_regs.hpp"
#include "sriov/error.hpp"
#include "vf/vf_control.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch_test_macros.hpp>

#include <thread>

using namespace sriov;
using namespace sriov::pf;
using namespace sriov::e82576;
using namespace std::chrono_literals;

namespace {

const MacAddress vf0_mac = MacAddress::parse("02:11:22:33:44:55");

// A PF served on an io_context running in a thread of its own, as sriovd runs it.
class ServedPf {
public:
    ServedPf()
    {
        E82576Pf::Delays fast;
        fast.quiesce = fast.after_reset = 0us;
        chip_ = std::make_unique<E82576Pf>(m.pf(), "model", fast);
        chip_->bring_up(2);
        m.set_num_vfs(2);
        policy_.set_admin(0, test::Admin().mac(vf0_mac));
        supervisor_ = std::make_unique<VfSupervisor>(*chip_, policy_);
        supervisor_->restore_all(VfSupervisor::Clock::now());
        m.set_interrupt_hook([this](const model::Interrupt& i) {
            if (i.to_pf && i.vector == 0)
                vector0_.signal();
        });
        service_ = std::make_unique<MailboxService>(io_, *chip_, mailbox_, *supervisor_, vector0_);
        service_->start();
        loop_ = std::thread([this] { io_.run(); });
    }
    ~ServedPf() { stop(); }

    // Stops the loop; afterwards the service and supervisor may be inspected from the test thread.
    void stop()
    {
        if (!loop_.joinable())
            return;
        boost::asio::post(io_, [this] {
            service_->stop();
            guard_.reset();
        });
        loop_.join();
        m.set_interrupt_hook({});
    }
    void vfs_created()
    {
        boost::asio::post(io_, [this] { service_->vfs_created(); });
    }
    const MailboxStats& stats() const { return service_->stats(); }
    const VfSupervisor& vfs() const { return *supervisor_; }

    model::E82576Model m;

private:
    VfPolicy policy_{2};
    std::unique_ptr<E82576Pf> chip_;
    mbx::PfMailbox mailbox_{m.pf(), mbx::Timing{10ms, 20us}};
    std::unique_ptr<VfSupervisor> supervisor_;
    vfio::EventFd vector0_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{io_.get_executor()};
    std::unique_ptr<MailboxService> service_;
    std::thread loop_;
};

}  // namespace

TEST_CASE("libvf's reset handshake and requests, answered by the interrupt-driven service")
{
    ServedPf pf;
    vf::VfControl vf0(pf.m.vf(0), "VF 0");
    CHECK(vf0.reset(1000ms) == vf0_mac);
    vf0.set_vlan(100, true);
    vf0.set_max_frame(1522);
    CHECK_THROWS_AS(vf0.set_mac(MacAddress::parse("02:aa:bb:cc:dd:ee")), Error);  // untrusted
    CHECK(vf0.clear_to_send());

    vf::VfControl vf1(pf.m.vf(1), "VF 1");
    CHECK(vf1.reset(1000ms) == std::nullopt);  // no MAC assigned

    // The control message, sent once the VFs exist, carries CTS once the VF is reset.
    pf.vfs_created();
    const mbx::Message ping = vf0.mailbox().receive();
    CHECK(ping.at(0) == 0x20000100);

    pf.stop();
    CHECK(pf.m.peek(RAH(23)) == 0x80045544);
    CHECK(pf.m.peek(VFRE.offset) == 0x7);  // VF 0, VF 1 and the PF's pool 2
    CHECK(pf.m.peek(VLVF.at(1)) == 0x80001064);
    CHECK(pf.vfs().state(0).clear_to_send);
    CHECK(pf.vfs().state(0).max_frame == 1522);
    const MailboxStats& s = pf.stats();
    CHECK(s.wakeups > 0);
    CHECK(s.vf_resets == 2);
    CHECK(s.requests == 5);  // VF_RESET, SET_VLAN, SET_LPE, SET_MAC_ADDR; VF_RESET
    CHECK(s.nacks == 2);     // the MAC change, and VF 1's reset without a MAC
    CHECK(s.errors == 0);
}

TEST_CASE("a request before VF_RESET gets NACK without CTS through the mailbox")
{
    ServedPf pf;
    // Without a reset the VF has no CTS; it asks anyway.
    mbx::VfMailbox mailbox(pf.m.vf(0), "VF 0");
    while (mailbox.check_for_reset()) {
    }
    const mbx::Message reply = mailbox.request(mbx::Message{0x00010004, 100});
    CHECK(reply.at(0) == 0x40010004);
}

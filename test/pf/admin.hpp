// VfAdmin settings for tests, built step by step: Admin().mac(m).trusted().
#pragma once

#include "pf/vf_policy.hpp"

#include <vector>

namespace sriov::pf::test {

class Admin {
public:
    Admin& mac(const MacAddress& m)
    {
        a_.mac = m;
        return *this;
    }
    Admin& trusted()
    {
        a_.trusted = true;
        return *this;
    }
    Admin& port_vlan(std::uint16_t vid)
    {
        a_.port_vlan = vid;
        return *this;
    }
    Admin& allowed_vlans(std::vector<std::uint16_t> vids)
    {
        a_.allowed_vlans = std::move(vids);
        return *this;
    }
    Admin& no_spoof_check()
    {
        a_.spoof_check = false;
        return *this;
    }
    operator VfAdmin() const { return a_; }

private:
    VfAdmin a_;
};

}  // namespace sriov::pf::test

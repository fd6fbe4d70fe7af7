// What every PF of one sriovd shares: its event loop, its VF token, how it publishes an event for
// vfctl monitor and how it is asked to stop.
#pragma once

#include "vfio/vf_token.hpp"

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <functional>
#include <optional>

namespace sriov::sriovd {

struct PfShared {
    boost::asio::io_context& io;
    const vfio::VfToken& token;
    bool take_over = false;
    std::function<void(const nlohmann::json&)> publish;  // an event for vfctl monitor
    std::function<void()> stop;                           // ask sriovd to stop
    std::optional<gid_t> operators_group;                 // given the VFs' VFIO files; none: root only
};

}  // namespace sriov::sriovd

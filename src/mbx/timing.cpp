#include "mbx/timing.hpp"

#include <thread>

namespace sriov::mbx {

void Deadline::pause() const
{
    if (poll_.count() > 0)
        std::this_thread::sleep_for(poll_);
    else
        std::this_thread::yield();
}

}  // namespace sriov::mbx

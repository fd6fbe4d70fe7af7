// Opens a VF that does not exist through libvf's C++ API and prints what libvf says:
// "CODE: MESSAGE". Exits 0 when sriov::Error came through the shared library, 1 otherwise.
#include <sriov/error.hpp>
#include <sriov/libvf.hpp>

#include <cstdio>

int main(int argc, char** argv)
{
    const char* address = argc > 1 ? argv[1] : "ffff:ee:1f.7";
    try {
        auto vf = sriov::vf::Vf::open(address);
        std::printf("opened %s: it should not exist\n", address);
        return 1;
    } catch (const sriov::Error& e) {
        std::printf("%s: %s\n", std::string(sriov::to_string(e.code())).c_str(), e.what());
        return 0;
    }
}

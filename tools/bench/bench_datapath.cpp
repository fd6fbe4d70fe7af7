// bench-datapath: the cost of libvf's data path (issue 7, part 1). Work in progress.
#include <cstdio>

int main()
{
    std::puts("bench-datapath: not written yet");
    return 1;
}

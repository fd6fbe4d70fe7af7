// The soak's rules that decide pass or fail (tools/soak): percentiles, the leak rule, a change cut
// short found all there, absent or in part, and the faults' order per block of cycles.
#include "expected.hpp"
#include "faults.hpp"
#include "report.hpp"

#include <catch2/catch_test_macros.hpp>

#include <set>
#include <sstream>

using namespace sriov::soak;

TEST_CASE("soak: percentiles by the nearest rank")
{
    CHECK(quantile({}, 0.5) == 0);
    CHECK(quantile({7}, 0.99) == 7);
    CHECK(quantile({4, 1, 3, 2}, 0.5) == 2);
    CHECK(quantile({4, 1, 3, 2}, 0.99) == 4);
    std::vector<double> hundred;
    for (int i = 1; i <= 100; ++i)
        hundred.push_back(i);
    CHECK(quantile(hundred, 0.99) == 99);
    CHECK(quantile(hundred, 1) == 100);
}

TEST_CASE("soak: fds must stay as after the warm-up, VmRSS within the slack")
{
    const auto cycle = [](unsigned fds, unsigned long rss) {
        CycleResult r;
        r.footprint = {fds, rss};
        return r;
    };
    std::ostringstream out;
    CHECK(check_leaks(out, {cycle(30, 9000), cycle(28, 8000), cycle(28, 8400), cycle(28, 8100)}, 2, 512).empty());
    CHECK(out.str().find("no growth") != std::string::npos);
    CHECK(check_leaks(out, {cycle(28, 8000), cycle(29, 8000)}, 1, 512).size() == 1);
    CHECK(check_leaks(out, {cycle(28, 8000), cycle(28, 8600)}, 1, 512).size() == 1);
    CHECK(check_leaks(out, {cycle(28, 8000)}, 1, 512).empty());  // nothing after the warm-up to judge
}

TEST_CASE("soak: a change cut short is found all there, absent or in part")
{
    const PfView before{"0000:00:04.0", 1, {Settings{{"mac", "02:00:00:00:00:01"}, {"trust", false}}}};
    const Change change{"0000:00:04.0", 0, {"mac", "02:00:00:00:00:02", "trust", "on"},
                        Settings{{"mac", "02:00:00:00:00:02"}, {"trust", true}}};
    PfView found = before;
    CHECK(found_in(change, before, found) == Found::none);
    found.vfs[0]["trust"] = true;
    CHECK(found_in(change, before, found) == Found::part);
    found.vfs[0]["mac"] = "02:00:00:00:00:02";
    CHECK(found_in(change, before, found) == Found::all);
}

TEST_CASE("soak: every fault comes once per block of cycles, the same for the same seed")
{
    std::multiset<Fault> block;
    for (unsigned cycle = 9; cycle <= 16; ++cycle)
        block.insert(fault_of_cycle(42, cycle, all_faults));
    CHECK(block == std::multiset<Fault>(all_faults.begin(), all_faults.end()));
    for (unsigned cycle = 1; cycle <= 20; ++cycle)
        CHECK(fault_of_cycle(42, cycle, all_faults) == fault_of_cycle(42, cycle, all_faults));
}

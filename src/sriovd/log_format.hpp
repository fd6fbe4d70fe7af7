// How sriovd's log lines look. On a terminal or in a file (the testbed, sriovd run by hand) each
// line carries the time and the level's name. Under systemd, whose unit leaves stderr to the
// journal, the time is journald's and the level must become the entry's priority: each line then
// starts with its syslog priority, "<3>" for an error, "<4>" for a warning, as sd-daemon(3)
// describes, which journald turns into PRIORITY= (so `journalctl -u sriovd -p warning` selects).
#pragma once

#include <string_view>

namespace sriov::sriovd {

// Whether stderr is the journal's stream: systemd sets JOURNAL_STREAM to "DEVICE:INODE" of the
// stream it connected (systemd.exec(5)), and stderr is that very file (not redirected since).
bool stderr_is_journal();

// Sets the pattern of the default logger for the place stderr goes (above).
void set_log_format(bool journal);

// The sd-daemon(3) prefix ("<0>".."<7>") for a log level of spdlog (spdlog::level::level_enum).
std::string_view syslog_prefix(int spdlog_level);

}  // namespace sriov::sriovd

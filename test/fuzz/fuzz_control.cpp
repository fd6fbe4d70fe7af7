// Fuzz target: the control protocol's request parser (control::decode_request), which reads every
// line a local client writes to sriovd's socket.
//
// The input is one request line. The parser may refuse it only with sriov::Error; any other
// exception escapes and counts as a crash. A request it accepts must encode to a line that decodes
// to the same request, and either outcome must make an answer line (encode_ok, encode_error: the
// error echoes the client's text, which need not be UTF-8).
#include "sriov/control/protocol.hpp"
#include "sriov/error.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

using namespace sriov;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    control::Request request;
    try {
        request = control::decode_request(line);
    } catch (const Error& e) {
        (void)control::encode_error(0, e);
        return 0;
    }
    const std::string encoded = control::encode(request);
    if (!(control::decode_request(encoded) == request)) {
        std::fprintf(stderr, "fuzz_control: %s does not decode to the request it encodes\n", encoded.c_str());
        std::abort();
    }
    (void)control::encode_ok(request.id, "{}");
    return 0;
}

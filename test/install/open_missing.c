/* Opens a VF that does not exist through libvf's C API and prints what libvf says:
 * "CODE: MESSAGE". Exits 0 when the open failed as it must (with a message), 1 otherwise. */
#include <sriov/libvf.h>

#include <stdio.h>

int main(int argc, char** argv)
{
    const char* address = argc > 1 ? argv[1] : "ffff:ee:1f.7";
    sriov_vf_options options;
    sriov_vf_options_init(&options);
    sriov_vf* vf = NULL;
    const sriov_vf_err err = sriov_vf_open(address, &options, &vf);
    if (err == SRIOV_VF_OK) {
        printf("opened %s: it should not exist\n", address);
        sriov_vf_close(vf);
        return 1;
    }
    printf("%s: %s\n", sriov_vf_strerror(err), sriov_vf_error_message(NULL));
    return vf == NULL && sriov_vf_error_message(NULL)[0] != '\0' ? 0 : 1;
}

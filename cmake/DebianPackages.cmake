# Debian packages of the installed components, one per component, built by CPack's DEB generator:
#   sriovd     the daemon (component sriovd)        libvf0     the shared library (component libvf)
#   vfctl      the command line (component vfctl)   libvf-dev  headers, pkg-config, CMake package
# `cmake --build BUILD --target debian-packages` (or `tools/run package`) writes them to
# BUILD/packages. The tree must be configured with the prefix /usr, as debhelper configures one
# (tools/run does): paths in the unit and in libvf's pkg-config and CMake files are fixed then.
# Dependencies on other packages come from dpkg-shlibdeps, what each program really links.
include(${PROJECT_SOURCE_DIR}/cmake/GzipForInstall.cmake)

set(SRIOV_DEB_MAINTAINER "The sriov-stack authors <sriov-stack@example.org>" CACHE STRING
    "Maintainer field of the Debian packages (and of their changelog)")

# The package of each component, its section and what it is. The first line of a description is
# the synopsis; the rest becomes the long description.
set(sriov_deb_components sriovd vfctl libvf libvf-dev)
set(sriov_deb_package_sriovd sriovd)
set(sriov_deb_package_vfctl vfctl)
set(sriov_deb_package_libvf libvf${PROJECT_VERSION_MAJOR})  # named after its soname (Policy 8.1)
set(sriov_deb_package_libvf-dev libvf-dev)

set(CPACK_DEBIAN_SRIOVD_PACKAGE_SECTION admin)
set(CPACK_COMPONENT_SRIOVD_DESCRIPTION "SR-IOV PF manager for VFIO-owned and kernel-owned PFs
sriovd owns SR-IOV physical functions (the Intel 82576) through VFIO,
creates their virtual functions, binds them to their drivers and serves
the VFs' mailbox with policy: MAC and VLAN filters, anti-spoofing, rate
limits, trust, and quarantine of misbehaving VFs. For PFs that keep their
kernel driver it sets the VFs through sysfs and rtnetlink.")
set(CPACK_DEBIAN_SRIOVD_PACKAGE_RECOMMENDS vfctl)

set(CPACK_DEBIAN_VFCTL_PACKAGE_SECTION admin)
set(CPACK_COMPONENT_VFCTL_DESCRIPTION "command line for the SR-IOV VFs managed by sriovd
vfctl shows and changes the virtual functions sriovd manages, in the words
of ip link (vf N mac ... vlan ... trust on), shows their counters and
sriovd's events, and releases quarantined VFs. It prints tables or JSON.")
set(CPACK_DEBIAN_VFCTL_PACKAGE_SUGGESTS sriovd)

set(CPACK_DEBIAN_LIBVF_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_LIBVF_DESCRIPTION "user-space driver library for SR-IOV VFs (82576)
libvf opens a virtual function through VFIO, runs the VF side of the PF's
mailbox and moves packets through DMA rings, polled or by MSI-X interrupts
with adaptive coalescing. This package holds the shared library.")
# A shlibs file for every package with a versioned shared library (only libvf0): packages built
# against libvf then depend on libvf0 of exactly the version they were built with, since in 0.x a
# new minor version may change the ABI while the soname stays libvf.so.0.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY "=")
# ldconfig runs on libvf0's installation and removal through dpkg's trigger, as Debian's policy
# wants (lintian: lacks-ldconfig-trigger). CPack also calls ldconfig from the postinst and postrm
# it writes for a package with a library; that stays, harmless (lintian warns:
# maintscript-calls-ldconfig), since replacing them would take empty scripts of our own.
set(CPACK_DEBIAN_LIBVF_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/cmake/debian/libvf0/triggers)

set(CPACK_DEBIAN_LIBVF-DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_LIBVF-DEV_DESCRIPTION "user-space driver library for SR-IOV VFs - development files
libvf opens a virtual function through VFIO, runs the VF side of the PF's
mailbox and moves packets through DMA rings. This package holds what
building against it needs: the C and C++ headers, the libvf.so link, a
pkg-config file and a CMake package (find_package(libvf)).")
# The headers and the link belong to exactly this build of the library; the C++ header includes
# fmt's (sriov/mac_address.hpp), so C++ programs need libfmt-dev too.
set(CPACK_DEBIAN_LIBVF-DEV_PACKAGE_DEPENDS "libvf${PROJECT_VERSION_MAJOR} (= ${PROJECT_VERSION}), libfmt-dev")

# What Debian wants in /usr/share/doc/PACKAGE of every package: the licence, in its
# machine-readable format, made from LICENSE, and the changelog (a native package's: changelog.gz).
file(READ ${PROJECT_SOURCE_DIR}/LICENSE sriov_license)
string(REGEX REPLACE "^.*\n(Permission is hereby granted)" "\\1" sriov_license_terms "${sriov_license}")
string(REGEX MATCH "Copyright \\(c\\) ([^\n]*)" _ "${sriov_license}")
set(sriov_copyright_holders "${CMAKE_MATCH_1}")
string(STRIP "${sriov_license_terms}" sriov_license_terms)
string(REGEX REPLACE "\n\n" "\n.\n" sriov_license_terms "${sriov_license_terms}")
string(REGEX REPLACE "\n" "\n " sriov_license_terms "${sriov_license_terms}")
file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/debian/copyright CONTENT
"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: sriov-stack

Files: *
Copyright: ${sriov_copyright_holders}
License: Expat
 ${sriov_license_terms}
")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/LICENSE)
sriov_gzip(${PROJECT_SOURCE_DIR}/cmake/debian/changelog ${CMAKE_BINARY_DIR}/debian/changelog.gz)
foreach(component IN LISTS sriov_deb_components)
  string(TOUPPER ${component} upper)
  set(CPACK_DEBIAN_${upper}_PACKAGE_NAME ${sriov_deb_package_${component}})
  install(FILES ${CMAKE_BINARY_DIR}/debian/copyright ${CMAKE_BINARY_DIR}/debian/changelog.gz
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${sriov_deb_package_${component}} COMPONENT ${component})
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sriov-stack)
set(CPACK_PACKAGE_VENDOR "The sriov-stack authors")
set(CPACK_PACKAGE_CONTACT "${SRIOV_DEB_MAINTAINER}")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL ${sriov_deb_components})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # PACKAGE_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Installed as `cmake --install` installs (DESTDIR), so that the unit and modprobe.d file under
# /lib land in the package, not outside it.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
# Debian ships programs stripped (lintian: unstripped-binary-or-object); the debug information
# stays in the build tree.
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_OUTPUT_FILE_PREFIX packages)
include(CPack)

add_custom_target(debian-packages
  COMMAND ${CMAKE_CPACK_COMMAND} -G DEB --config ${CMAKE_BINARY_DIR}/CPackConfig.cmake
  DEPENDS sriovd vfctl vf_shared
  WORKING_DIRECTORY ${CMAKE_BINARY_DIR}
  COMMENT "Building the Debian packages in ${CMAKE_BINARY_DIR}/packages"
  USES_TERMINAL)

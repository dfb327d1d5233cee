/* The names of every mutant and legal variant, shared by the preload library
 * (which behaviour to change) and the self-check (which probe to run). The
 * catalogue (mutants/catalogue.tsv) says, per name, which rule it breaks or
 * which freedom it uses, and which cases must notice; ci/mutation checks that
 * the catalogue and this list name the same entries. */
#ifndef SOCKSPEC_MUTANTS_ENTRIES_H
#define SOCKSPEC_MUTANTS_ENTRIES_H

#define SOCKSPEC_MUTANTS(X)                                        \
  X(SOCKET_NONBLOCK_IGNORED, "socket-nonblock-ignored")            \
  X(SOCKET_CLOEXEC_IGNORED, "socket-cloexec-ignored")              \
  X(SOCKET_CLOEXEC_DEFAULT, "socket-cloexec-default")              \
  X(SOCKET_BAD_DOMAIN_ERRNO, "socket-bad-domain-errno")            \
  X(SOCKET_BAD_PROTOCOL_ACCEPTED, "socket-bad-protocol-accepted")  \
  X(SOCKET_EMFILE_ERRNO, "socket-emfile-errno")                    \
  X(SOCKET_NOT_LOWEST_FD, "socket-not-lowest-fd")                  \
  X(SOCKETPAIR_NONBLOCK_ONE, "socketpair-nonblock-one")            \
  X(SOCKETPAIR_CLOEXEC_IGNORED, "socketpair-cloexec-ignored")      \
  X(SOCKETPAIR_INET_SUCCEEDS, "socketpair-inet-succeeds")          \
  X(SOCKETPAIR_DGRAM_AS_STREAM, "socketpair-dgram-as-stream")      \
  X(BIND_INUSE_ERRNO, "bind-inuse-errno")                          \
  X(BIND_UNIX_EXISTS_ERRNO, "bind-unix-exists-errno")              \
  X(BIND_TWICE_SUCCEEDS, "bind-twice-succeeds")                    \
  X(BIND_SHORT_LEN_ACCEPTED, "bind-short-len-accepted")            \
  X(BIND_NOT_LOCAL_ERRNO, "bind-not-local-errno")                  \
  X(BIND_FAILED_LEAVES_BOUND, "bind-failed-leaves-bound")          \
  X(BIND_FAMILY_MISMATCH_ERRNO, "bind-family-mismatch-errno")      \
  X(BIND_ENOENT_ERRNO, "bind-enoent-errno")                        \
  X(LISTEN_DGRAM_SUCCEEDS, "listen-dgram-succeeds")                \
  X(LISTEN_CONNECTED_SUCCEEDS, "listen-connected-succeeds")        \
  X(LISTEN_UNBOUND_UNIX_SUCCEEDS, "listen-unbound-unix-succeeds")  \
  X(LISTEN_BACKLOG_SHRUNK, "listen-backlog-shrunk")                \
  X(ACCEPT_NONBLOCK_EMPTY_ERRNO, "accept-nonblock-empty-errno")    \
  X(ACCEPT_LEN_NOT_UPDATED, "accept-len-not-updated")              \
  X(ACCEPT_WRITES_PAST_LEN, "accept-writes-past-len")              \
  X(ACCEPT_ADDRESS_LOCAL, "accept-address-local")                  \
  X(ACCEPT_FIFO_REVERSED, "accept-fifo-reversed")                  \
  X(ACCEPT_CLOEXEC_SET, "accept-cloexec-set")                      \
  X(ACCEPT4_NONBLOCK_IGNORED, "accept4-nonblock-ignored")          \
  X(ACCEPT4_CLOEXEC_IGNORED, "accept4-cloexec-ignored")            \
  X(ACCEPT4_BAD_FLAGS_ACCEPTED, "accept4-bad-flags-accepted")      \
  X(ACCEPT_NOT_LISTENING_ERRNO, "accept-not-listening-errno")      \
  X(ACCEPT_NULL_ADDRESS_CRASH, "accept-null-address-crash")        \
  X(CONNECT_REFUSED_ERRNO, "connect-refused-errno")                \
  X(CONNECT_ENOENT_ERRNO, "connect-enoent-errno")                  \
  X(CONNECT_EISCONN_SUCCEEDS, "connect-eisconn-succeeds")          \
  X(CONNECT_DGRAM_UNSPEC_IGNORED, "connect-dgram-unspec-ignored")  \
  X(CONNECT_SHORT_LEN_ACCEPTED, "connect-short-len-accepted")      \
  X(CONNECT_LISTENING_SUCCEEDS, "connect-listening-succeeds")      \
  X(CONNECT_EALREADY_EINPROGRESS, "connect-ealready-einprogress")  \
  X(GETSOCKNAME_PORT_BYTEORDER, "getsockname-port-byteorder")      \
  X(GETSOCKNAME_LEN_NOT_UPDATED, "getsockname-len-not-updated")    \
  X(GETSOCKNAME_WRITES_PAST_LEN, "getsockname-writes-past-len")    \
  X(GETPEERNAME_UNCONNECTED_ERRNO, "getpeername-unconnected-errno") \
  X(GETPEERNAME_RETURNS_LOCAL, "getpeername-returns-local")        \
  X(STREAM_SEND_SWAPS_BYTES, "stream-send-swaps-bytes")            \
  X(STREAM_SEND_DROPS_BYTE, "stream-send-drops-byte")              \
  X(SEND_SIGPIPE_SUPPRESSED, "send-sigpipe-suppressed")            \
  X(SEND_NOSIGNAL_IGNORED, "send-nosignal-ignored")                \
  X(SEND_EPIPE_ERRNO, "send-epipe-errno")                          \
  X(SEND_UNCONNECTED_SWALLOWED, "send-unconnected-swallowed")      \
  X(RECV_PEEK_CONSUMES, "recv-peek-consumes")                      \
  X(RECV_WAITALL_IGNORED, "recv-waitall-ignored")                  \
  X(RECV_EAGAIN_ZERO, "recv-eagain-zero")                          \
  X(RECV_EOF_EARLY, "recv-eof-early")                              \
  X(RECV_RCVTIMEO_ERRNO, "recv-rcvtimeo-errno")                    \
  X(RECV_ENOTSOCK_ERRNO, "recv-enotsock-errno")                    \
  X(CLOSE_KEEPS_CONNECTION, "close-keeps-connection")              \
  X(DGRAM_SEND_TRUNCATED, "dgram-send-truncated")                  \
  X(DGRAM_NO_DESTINATION_ERRNO, "dgram-no-destination-errno")      \
  X(DGRAM_EMSGSIZE_SWALLOWED, "dgram-emsgsize-swallowed")          \
  X(DGRAM_UNIX_ENOENT_ERRNO, "dgram-unix-enoent-errno")            \
  X(RECVMSG_NO_MSG_TRUNC, "recvmsg-no-msg-trunc")                  \
  X(DGRAM_TRUNCATION_KEEPS_REST, "dgram-truncation-keeps-rest")    \
  X(DGRAM_BOUNDARIES_MERGED, "dgram-boundaries-merged")            \
  X(RECVFROM_NO_SOURCE, "recvfrom-no-source")                      \
  X(SENDMSG_FIRST_IOV_ONLY, "sendmsg-first-iov-only")              \
  X(SHUTDOWN_IGNORED, "shutdown-ignored")                          \
  X(SHUTDOWN_BAD_HOW_ACCEPTED, "shutdown-bad-how-accepted")        \
  X(SHUTDOWN_ENOTCONN_SWALLOWED, "shutdown-enotconn-swallowed")    \
  X(SHUTDOWN_RD_SHUTS_BOTH, "shutdown-rd-shuts-both")              \
  X(SO_TYPE_KEEPS_FLAGS, "so-type-keeps-flags")                    \
  X(SO_ACCEPTCONN_ZERO, "so-acceptconn-zero")                      \
  X(SO_ERROR_NOT_CLEARED, "so-error-not-cleared")                  \
  X(SO_ERROR_SWALLOWED, "so-error-swallowed")                      \
  X(SOCKOPT_BAD_OPTION_ACCEPTED, "sockopt-bad-option-accepted")    \
  X(SOCKOPT_SHORT_OPTLEN_ACCEPTED, "sockopt-short-optlen-accepted") \
  X(POLL_LISTENER_NOT_READABLE, "poll-listener-not-readable")      \
  X(POLL_EOF_NOT_READABLE, "poll-eof-not-readable")                \
  X(POLL_CONNECTED_NOT_WRITABLE, "poll-connected-not-writable")

#define SOCKSPEC_VARIANTS(X)                                       \
  X(V_SHORT_IO, "short-io")                                        \
  X(V_BACKLOG_LARGER, "backlog-larger")                            \
  X(V_ACCEPT_INHERITS_NONBLOCK, "accept-inherits-nonblock")        \
  X(V_CONNECT_COMPLETES_AT_ONCE, "connect-completes-at-once")      \
  X(V_CONNECT_ALWAYS_EINPROGRESS, "connect-always-einprogress")    \
  X(V_UDP_LOSS_REORDER, "udp-loss-reorder")                        \
  X(V_OTHER_DOCUMENTED_ERRNOS, "other-documented-errnos")          \
  X(V_UNIX_NAME_LEN_WITHOUT_NUL, "unix-name-len-without-nul")      \
  X(V_NAME_TRUNCATED_LEN_STORED, "name-truncated-len-stored")      \
  X(V_LISTEN_UNBOUND_EDESTADDRREQ, "listen-unbound-edestaddrreq")  \
  X(V_GETSOCKNAME_UNBOUND_OTHER, "getsockname-unbound-other")      \
  X(V_SO_ACCEPTCONN_FLAG_BIT, "so-acceptconn-flag-bit")            \
  X(V_CONNECT_UNSPEC_EAFNOSUPPORT, "connect-unspec-eafnosupport")  \
  X(V_TCP_FULL_QUEUE_RESET, "tcp-full-queue-reset")                \
  X(V_NO_SIGPIPE_ON_OWN_SHUTDOWN, "no-sigpipe-on-own-shutdown")    \
  X(V_RCVTIMEO_NOT_SETTABLE, "rcvtimeo-not-settable")              \
  X(V_UNIX_DGRAM_MAX_2K, "unix-dgram-max-2k")                      \
  X(V_LONG_SUN_PATH_BINDS, "long-sun-path-binds")                  \
  X(V_V6ONLY_FIXED, "v6only-fixed")                                \
  X(V_BAD_SOCKOPT_EINVAL, "bad-sockopt-einval")                    \
  X(V_OPEN_SOCKET_SUCCEEDS, "open-socket-succeeds")                \
  X(V_UDP_DROP_FIRST, "udp-drop-first")                            \
  X(V_SHUTDOWN_REPEAT_ENOTCONN, "shutdown-repeat-enotconn")        \
  X(V_UNIX_DGRAM_EISCONN_FIRST, "unix-dgram-eisconn-first")        \
  X(V_BIND_SHUTDOWN_EINVAL, "bind-shutdown-einval")                \
  X(V_UNIX_FILE_REMOVED_ON_CLOSE, "unix-file-removed-on-close")    \
  X(V_SHUTDOWN_RD_EAGAIN, "shutdown-rd-eagain")                    \
  X(V_LISTEN_AGAIN_EINVAL, "listen-again-einval")

#define SOCKSPEC_ENUM_ENTRY(id, name) id,
enum SockspecEntry {
  NONE = 0,
  SOCKSPEC_MUTANTS(SOCKSPEC_ENUM_ENTRY) FIRST_VARIANT_MARKER,
  SOCKSPEC_VARIANTS(SOCKSPEC_ENUM_ENTRY) ENTRY_COUNT
};
#undef SOCKSPEC_ENUM_ENTRY

#endif

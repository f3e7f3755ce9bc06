// Linux's epoll and eventfd, which the PQ module waits on; Swift's Glibc module does not export them.
#include <sys/epoll.h>
#include <sys/eventfd.h>

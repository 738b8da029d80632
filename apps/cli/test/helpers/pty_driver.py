# Runs a command in a pseudo-terminal (200x50) and relays bytes: this process's stdin goes to
# the terminal, the terminal's output to this process's stdout. Exits with the command's status.
import fcntl, os, pty, select, signal, struct, sys, termios

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])

fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 50, 200, 0, 0))
os.kill(pid, signal.SIGWINCH)
stdin = sys.stdin.fileno()
stdout = sys.stdout.fileno()
stdin_open = True
while True:
    fds = [fd, stdin] if stdin_open else [fd]
    try:
        ready, _, _ = select.select(fds, [], [], 0.05)
    except InterruptedError:
        continue
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        os.write(stdout, data)
    if stdin_open and stdin in ready:
        data = os.read(stdin, 65536)
        if not data:
            stdin_open = False
        else:
            os.write(fd, data)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, 'waitstatus_to_exitcode') else 0)

package io.jouleflow.launcher.cli;

/**
 * A runtime failure a verb foresaw (no meter opened, a file it cannot read): its message is the
 * whole one-line reason the user sees, {@code jouleflow: <message>}, and the exit code is 1.
 */
public final class CommandFailure extends RuntimeException {
  public CommandFailure(String message) {
    super(message);
  }

  public CommandFailure(String message, Throwable cause) {
    super(message, cause);
  }
}

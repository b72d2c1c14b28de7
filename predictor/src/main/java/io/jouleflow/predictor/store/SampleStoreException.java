package io.jouleflow.predictor.store;

import java.nio.file.FileSystemException;
import java.sql.SQLException;

/**
 * The sample store could not be opened, read or written. The message is one line naming the store
 * and the reason, e.g. {@code cannot open sample store jdbc:sqlite:/ro/x.db: attempt to write a
 * readonly database}, fit to print to a user as it is.
 *
 * <p>{@link #permanent()} tells a writer that keeps trying (the agent) whether trying again can
 * help: a server that is down or slow may come back, a URL no driver takes will not.
 */
public final class SampleStoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** SQLite's primary result codes that no retry changes. */
  private static final int SQLITE_PERM = 3;
  private static final int SQLITE_READONLY = 8;
  private static final int SQLITE_IOERR = 10;
  private static final int SQLITE_CORRUPT = 11;
  private static final int SQLITE_FULL = 13;
  private static final int SQLITE_CANTOPEN = 14;
  private static final int SQLITE_AUTH = 23;
  private static final int SQLITE_NOTADB = 26;

  private final boolean permanent;
  private final boolean badInput;

  public SampleStoreException(String message, Throwable cause) {
    super(message, cause);
    this.permanent = isPermanent(cause);
    this.badInput = false;
  }

  /** A failure of the store's own making (not a JDBC URL, a newer schema): permanent. */
  public SampleStoreException(String message) {
    super(message);
    this.permanent = true;
    this.badInput = false;
  }

  private SampleStoreException(String message, Throwable cause, boolean badInput) {
    super(message, cause);
    this.permanent = true;
    this.badInput = badInput;
  }

  /** A failure caused by what the caller named (permanent): see {@link #badInput()}. */
  static SampleStoreException badInput(String message, Throwable cause) {
    return new SampleStoreException(message, cause, true);
  }

  /**
   * Whether the caller named something unusable — a URL that is no JDBC URL or that no driver
   * takes, an export that is missing or malformed — rather than the store failing at run time (a
   * database that cannot be reached or written): the launcher's exit 2, not 1.
   */
  public boolean badInput() {
    return badInput;
  }

  /**
   * Whether trying again cannot help: no driver takes the URL, it is malformed, authentication
   * failed, the database or a directory does not exist or cannot be created, the store is
   * read-only, full or corrupt. A refused or timed-out connection, or a lock held by another
   * writer, is not permanent.
   */
  public boolean permanent() {
    return permanent;
  }

  private static boolean isPermanent(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof FileSystemException) {
        return true; // the directory of a SQLite file cannot be created
      }
      if (t instanceof SQLException sql && isPermanent(sql)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isPermanent(SQLException e) {
    String message = String.valueOf(e.getMessage());
    if (message.startsWith("No suitable driver") // DriverManager: no driver takes the URL
        || message.startsWith("Unable to parse URL")) { // PostgreSQL: a malformed URL
      return true;
    }
    String state = e.getSQLState();
    if (state != null) {
      if (state.startsWith("28") // invalid authorization: wrong password, unknown role
          || state.equals("3D000") // invalid catalog name: no such database
          || state.equals("42501") // insufficient privilege
          || state.equals("25006") // read-only transaction (a standby)
          || state.equals("53100")) { // disk full
        return true;
      }
    }
    if (e.getClass().getName().startsWith("org.sqlite.")) {
      return switch (e.getErrorCode() & 0xff) {
        case SQLITE_PERM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL,
            SQLITE_CANTOPEN, SQLITE_AUTH, SQLITE_NOTADB -> true;
        default -> false;
      };
    }
    return false;
  }
}

package io.jouleflow.predictor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL store that hangs (a stopped server: connections are accepted, nothing answers)
 * gives an error within the store's timeouts instead of holding the caller forever.
 */
class SampleStoreHungServerTest {

  /** Accepts connections on 127.0.0.1 and never answers, like a SIGSTOPped server. */
  private static final class SilentServer implements AutoCloseable {
    private final ServerSocket socket =
        new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<Socket> accepted = new ArrayList<>();

    SilentServer() throws IOException {
      Thread t = new Thread(() -> {
        try {
          while (true) {
            Socket s = socket.accept();
            synchronized (accepted) {
              accepted.add(s);
            }
          }
        } catch (IOException closed) {
          // closed by the test
        }
      }, "silent-server");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
      synchronized (accepted) {
        for (Socket s : accepted) {
          s.close();
        }
      }
    }
  }

  @Test
  void openingAStoreWhoseServerNeverAnswersFailsWithinTheLoginTimeout() throws Exception {
    try (SilentServer server = new SilentServer()) {
      String url = "jdbc:postgresql://127.0.0.1:" + server.port() + "/jouleflow?user=postgres";
      long t0 = System.nanoTime();
      SampleStoreException e = assertTimeoutPreemptively(Duration.ofSeconds(40),
          () -> catchThrowableOfType(() -> SampleStore.open(url), SampleStoreException.class));
      assertThat(e).as("open failed").isNotNull()
          .hasMessageStartingWith("cannot open sample store " + url + ": ");
      assertThat(e.permanent()).as("a hung server may come back").isFalse();
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isLessThanOrEqualTo(Duration.ofSeconds(SampleStore.LOGIN_TIMEOUT_SECONDS + 5));
    }
  }

  @Test
  void timeoutsGivenInTheUrlAreKept() {
    assertThat(SampleStore.connectionProperties(
            "jdbc:postgresql://h/db?user=u&socketTimeout=5&loginTimeout=3"))
        .doesNotContainKeys("socketTimeout", "loginTimeout")
        .containsKey("connectTimeout");
    assertThat(SampleStore.connectionProperties("jdbc:postgresql://h/db?user=u"))
        .containsKeys("socketTimeout", "loginTimeout", "connectTimeout");
  }
}

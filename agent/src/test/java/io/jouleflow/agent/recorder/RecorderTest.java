package io.jouleflow.agent.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecorderTest {

  @Test
  void deliversEventsInOrderToTheConsumer() {
    Recorder<Integer> r = new Recorder<>(8);
    for (int i = 0; i < 5; i++) {
      assertThat(r.offer(i)).isTrue();
    }
    List<Integer> got = new ArrayList<>();
    assertThat(r.drain(got::add, 100)).isEqualTo(5);
    assertThat(got).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void dropsAndCountsWhenFullInsteadOfBlocking() {
    Recorder<Integer> r = new Recorder<>(4);
    for (int i = 0; i < 10; i++) {
      r.offer(i);
    }
    assertThat(r.dropped()).isEqualTo(6);
    List<Integer> got = new ArrayList<>();
    r.drain(got::add, 100);
    assertThat(got).containsExactly(0, 1, 2, 3);
    assertThat(r.offer(42)).isTrue(); // space again after draining
  }

  @Test
  void manyProducersLoseNothingThatWasAccepted() throws Exception {
    Recorder<Long> r = new Recorder<>(1024);
    int producers = 8;
    int perProducer = 50_000;
    AtomicLong accepted = new AtomicLong();
    CountDownLatch done = new CountDownLatch(producers);
    for (int p = 0; p < producers; p++) {
      long base = (long) p * perProducer;
      new Thread(() -> {
        for (int i = 0; i < perProducer; i++) {
          if (r.offer(base + i)) {
            accepted.incrementAndGet();
          }
        }
        done.countDown();
      }).start();
    }
    long[] consumed = {0};
    long[] sum = {0};
    while (done.getCount() > 0 || r.drain(e -> {}, 0) > 0) {
      r.drain(e -> { consumed[0]++; sum[0] += e; }, 4096);
    }
    r.drain(e -> { consumed[0]++; sum[0] += e; }, Integer.MAX_VALUE);
    assertThat(consumed[0]).isEqualTo(accepted.get());
    assertThat(consumed[0] + r.dropped()).isEqualTo((long) producers * perProducer);
  }
}

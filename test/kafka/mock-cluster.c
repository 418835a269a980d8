/*
 * A Kafka cluster for tests: librdkafka's built-in mock cluster (no JVM, no broker install).
 *
 * Usage: mock-cluster [-b BROKERS] [-n] [TOPIC...]
 *   Creates the shopping.* topics (none with -n) and any TOPIC given, 3 partitions each,
 *   since the mock answers no CreateTopics; prints the bootstrap servers
 *   ("127.0.0.1:port,…") as one line on stdout, then serves until stdin reaches EOF or
 *   SIGTERM/SIGINT arrives, so a crashed parent never leaves it running.
 *   Lines on stdin: "down" closes every broker's connections and refuses new ones, "up"
 *   lets them in again (an outage without losing the cluster's data); each is answered
 *   by the same word on stdout once done.
 * Build: cc -O1 -o mock-cluster mock-cluster.c -lrdkafka   (Debian: librdkafka-dev)
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static const char *TOPICS[] = {
    "shopping.order.created",     "shopping.order.confirmed",   "shopping.order.cancelled",
    "shopping.payment.completed", "shopping.payment.failed",    "shopping.inventory.reserved",
    "shopping.delivery.shipped",  "shopping.coupon.issued",     "shopping.timedeal.started",
    "shopping.product.changed",
};
#define PARTITIONS 3

static volatile sig_atomic_t stopping = 0;
static void on_signal(int sig) { (void)sig; stopping = 1; }

static int create_topic(rd_kafka_mock_cluster_t *mc, const char *topic, int brokers) {
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, topic, PARTITIONS, brokers < 3 ? brokers : 3);
  if (err) fprintf(stderr, "mock-cluster: cannot create %s: %s\n", topic, rd_kafka_err2str(err));
  return err ? -1 : 0;
}

int main(int argc, char **argv) {
  int brokers = 1, first_topic = 1, own_topics = 1;
  if (argc > first_topic + 1 && strcmp(argv[first_topic], "-b") == 0) { brokers = atoi(argv[first_topic + 1]); first_topic += 2; }
  if (argc > first_topic && strcmp(argv[first_topic], "-n") == 0) { own_topics = 0; first_topic += 1; }
  if (brokers < 1) brokers = 1;

  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr); /* errors only, on stderr */
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) { fprintf(stderr, "mock-cluster: %s\n", errstr); return 1; }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) { fprintf(stderr, "mock-cluster: rd_kafka_mock_cluster_new failed\n"); return 1; }

  int failed = 0;
  for (size_t i = 0; own_topics && i < sizeof TOPICS / sizeof *TOPICS; i++) failed |= create_topic(mc, TOPICS[i], brokers);
  for (int i = first_topic; i < argc; i++) failed |= create_topic(mc, argv[i], brokers);
  if (failed) return 1;

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);

  struct pollfd in = {.fd = STDIN_FILENO, .events = POLLIN};
  char buf[256], line[64];
  size_t len = 0;
  while (!stopping) {
    int n = poll(&in, 1, 500);
    if (n < 0 && errno != EINTR) break;
    if (n > 0) {
      ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
      if (r <= 0) break; /* EOF (parent gone) or error */
      for (ssize_t i = 0; i < r; i++) {
        if (buf[i] != '\n') {
          if (len < sizeof line - 1) line[len++] = buf[i];
          continue;
        }
        line[len] = 0;
        len = 0;
        rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
        if (strcmp(line, "down") == 0) {
          for (int b = 1; b <= brokers && !err; b++) err = rd_kafka_mock_broker_set_down(mc, b);
        } else if (strcmp(line, "up") == 0) {
          for (int b = 1; b <= brokers && !err; b++) err = rd_kafka_mock_broker_set_up(mc, b);
        } else {
          continue;
        }
        if (err) fprintf(stderr, "mock-cluster: %s: %s\n", line, rd_kafka_err2str(err));
        printf("%s\n", line);
        fflush(stdout);
      }
    }
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}

/* A librdkafka mock cluster (real Kafka wire protocol on loopback) for the kafka sink tests.
 *
 *   kafka_mock_cluster [brokers=1]
 *
 * Prints the bootstrap servers on the first stdout line, then reads commands from stdin, one per
 * line, answering "ok" or "error ..." on stdout:
 *   create <topic> <partitions>        create a topic (replication = min(3, brokers))
 *   down <broker id> | up <broker id>  take a broker off / back on the network (ids start at 1)
 *   err <api key> <error code> <count> fail the next <count> requests of that API
 *   clear <api key>                    drop pending injected errors
 * Exits when stdin closes (or on SIGTERM, by default action). */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reply(const char* text) {
  fputs(text, stdout);
  fputc('\n', stdout);
  fflush(stdout);
}

int main(int argc, char** argv) {
  int brokers = argc > 1 ? atoi(argv[1]) : 1;
  if (brokers < 1 || brokers > 3) {
    fprintf(stderr, "brokers must be 1..3\n");
    return 2;
  }
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) {
    fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
    return 1;
  }
  reply(rd_kafka_mock_cluster_bootstraps(mc));

  char line[1024];
  while (fgets(line, sizeof line, stdin)) {
    char cmd[32] = {0}, arg[512] = {0};
    int a = 0, b = 0;
    int n = sscanf(line, "%31s %511s %d %d", cmd, arg, &a, &b);
    if (n <= 0) continue;
    rd_kafka_resp_err_t r = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (strcmp(cmd, "create") == 0 && n >= 3) {
      r = rd_kafka_mock_topic_create(mc, arg, a, brokers < 3 ? brokers : 3);
    } else if (strcmp(cmd, "down") == 0 && n >= 2) {
      r = rd_kafka_mock_broker_set_down(mc, atoi(arg));
    } else if (strcmp(cmd, "up") == 0 && n >= 2) {
      r = rd_kafka_mock_broker_set_up(mc, atoi(arg));
    } else if (strcmp(cmd, "err") == 0 && n >= 4 && b > 0 && b <= 1000) {
      rd_kafka_resp_err_t errs[1000];
      for (int i = 0; i < b; i++) errs[i] = (rd_kafka_resp_err_t)a;
      rd_kafka_mock_push_request_errors_array(mc, (int16_t)atoi(arg), (size_t)b, errs);
    } else if (strcmp(cmd, "clear") == 0 && n >= 2) {
      rd_kafka_mock_clear_request_errors(mc, (int16_t)atoi(arg));
    } else {
      reply("error unknown command");
      continue;
    }
    if (r) {
      char msg[600];
      snprintf(msg, sizeof msg, "error %s", rd_kafka_err2str(r));
      reply(msg);
    } else {
      reply("ok");
    }
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}

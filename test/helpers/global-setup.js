/** Runs before the suite: tags this run, so the teardown only cleans up what this run started. */
const { randomUUID } = require('crypto');

module.exports = async () => {
  process.env.MEMPOOL_TEST_RUN = randomUUID();
};

port 26379
protected-mode no
sentinel monitor mymaster ${MASTER_HOST} 6379 ${QUORUM}

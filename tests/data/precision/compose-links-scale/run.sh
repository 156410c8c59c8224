#!/bin/sh
docker-compose -f docker-compose.yml up -d
docker-compose -f docker-compose.yml scale sentinel=3

//! Per-format extraction: a syntax tree becomes facts about Redis nodes and sentinels.

pub mod ansible;
pub mod argument_dispatch;
pub mod cluster_create;
pub mod cluster_operators;
pub mod compose;
pub mod conf;
pub mod detect;
pub mod dockerfile;
pub mod helm;
pub mod helm_command;
pub mod helm_render;
pub mod image_start;
pub mod k8s_link;
pub mod kubernetes;
pub mod kustomize;
pub mod launch;
pub mod operators;
pub mod placeholders;
pub mod role_choice;
pub mod runtime_commands;
pub mod script;
pub mod script_flow;
pub mod systemd;
pub mod units;
pub mod workload;

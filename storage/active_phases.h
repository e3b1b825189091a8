// The phases with work left, as SQL, for every query of unfinished declarations. A string
// literal, so each query stays one literal the binary holds whole (bench/run reads the engine's
// due query out of the binary to time it as sent). tests/storage/active_phases_test.cc checks
// it against IsActive (common/declaration_state.h) and against the partial index
// declarations_due, which the migrations spell by hand since a migration never changes.
#pragma once

#define CUSTOMSD_ACTIVE_PHASES "('submit', 'poll', 'modify', 'redeclare')"

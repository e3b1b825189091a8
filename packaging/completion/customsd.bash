# bash completion for customsd
_customsd() {
  local cur prev commands global
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  commands="run check declare list show stats retry redeclare modify cancel verify-identity watch alerts events migrate backup version"
  global="-c --config -o --output --json --local --help --version"
  case "$prev" in
    -c|--config|-f|--file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -o|--output) COMPREPLY=($(compgen -W "table json jsonl csv" -- "$cur")); return ;;
    --state) COMPREPLY=($(compgen -W "UNDECLARED SUBMITTED PROCESSING SUCCESS FAIL EXCEPT" -- "$cur")); return ;;
    --phase) COMPREPLY=($(compgen -W "submit poll modify redeclare done attention cancelled" -- "$cur")); return ;;
  esac
  local i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case " $commands " in *" ${COMP_WORDS[i]} "*)
      if [[ ${COMP_WORDS[i]} == alerts && $((i + 1)) == "$COMP_CWORD" ]]; then
        COMPREPLY=($(compgen -W "list ack --all --cause --merchant --declaration --since --until --limit --after $global" -- "$cur"))
        return
      fi
      COMPREPLY=($(compgen -W "$global --help --state --phase --customs --mchid --merchant --id --yes --dry-run --limit --after --since --until --file --quiet --all --cause --declaration --identity-file --interval --last --once --reason" -- "$cur"))
      return ;;
    esac
  done
  COMPREPLY=($(compgen -W "$commands $global" -- "$cur"))
}
complete -F _customsd customsd

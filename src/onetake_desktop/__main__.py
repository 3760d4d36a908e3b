from onetake_desktop.app import main

raise SystemExit(main())
